package io.vigil.agent.sensor.process.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CommandLinesTest {
  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void aShortCommandLineIsKeptAsIs() {
    String s = "sh -c echo";
    assertSame(s, CommandLines.bound(s, 1024));
  }

  @Test
  void aLongAsciiCommandLineIsCutToExactlyTheBudget() {
    String s = "a".repeat(40_000);
    assertEquals("a".repeat(1024), CommandLines.bound(s, CommandLines.TABLE_MAX_BYTES));
  }

  @Test
  void theCutNeverSplitsAnEscapedByteOrAnEscapedBackslash() {
    // 1022 bytes, then an escape that would straddle the budget of 1024.
    String hex = "a".repeat(1022) + "\\xFF" + "tail";
    assertEquals("a".repeat(1022), CommandLines.bound(hex, 1024));
    String backslash = "a".repeat(1023) + "\\\\" + "tail";
    assertEquals("a".repeat(1023), CommandLines.bound(backslash, 1024));
    String fits = "a".repeat(1020) + "\\xFF" + "tail";
    assertEquals("a".repeat(1020) + "\\xFF", CommandLines.bound(fits, 1024));
  }

  @Test
  void theCutCountsUtf8BytesAndNeverSplitsACharacter() {
    String s = "é".repeat(600) + "🦀".repeat(300); // 1200 bytes, then 4-byte characters
    String cut = CommandLines.bound(s, 1024);
    assertTrue(utf8(cut) <= 1024);
    assertEquals("é".repeat(512), cut);
    String emoji = "a" + "🦀".repeat(400);
    String cutEmoji = CommandLines.bound(emoji, 1024);
    assertEquals("a" + "🦀".repeat(255), cutEmoji, "no lone surrogate at the end");
  }
}
