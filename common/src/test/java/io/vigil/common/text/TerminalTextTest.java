package io.vigil.common.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TerminalTextTest {
  @Test
  void escapeSequencesCannotReachTheTerminal() {
    String hostile = "ls\u001b]0;pwned\u0007\u001b[2J\r\nrm -rf /\u009b31m";
    String shown = TerminalText.escape(hostile, 1000);
    assertFalse(shown.chars().anyMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)));
    assertEquals("ls\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\x0arm -rf /\\x9b31m", shown);
  }

  @Test
  void bidiOverridesAndBackslashesAreVisible() {
    assertEquals("a\\u202eb\\\\x41", TerminalText.escape("a\u202eb\\x41", 100));
  }

  @Test
  void longTextIsCutWithAMarker() {
    String shown = TerminalText.escape("x".repeat(10_000), 50);
    assertTrue(shown.startsWith("x".repeat(50) + "…[9950 more chars]"), shown);
  }

  @Test
  void ordinaryUnicodeIsKept() {
    assertEquals("café ünïcode 日本", TerminalText.escape("café ünïcode 日本", 100));
  }

  @Test
  void hostileCommandLinesAreInertAndBounded() {
    String title = "\u001b]0;pwn\u0007";
    String clear = "\u001b[2J";
    String script = "<script>alert(1)</script>";
    // Invalid UTF-8 decodes to U+FFFD (printable); a lone surrogate (from a lenient decoder) is
    // shown.
    String badUtf8 =
        new String(new byte[] {'a', (byte) 0xc3, (byte) 0x28, (byte) 0xff}, StandardCharsets.UTF_8);
    String shown = TerminalText.escape(title + clear + script + badUtf8 + "\ud800", 1000);
    assertEquals("\\x1b]0;pwn\\x07\\x1b[2J<script>alert(1)</script>a\ufffd(\ufffd\\ud800", shown);
    String huge = TerminalText.escape((title + clear).repeat(100_000), 200);
    assertTrue(huge.length() < 260, huge);
    assertTrue(huge.endsWith(" more chars]"), huge);
    assertTrue(huge.chars().noneMatch(c -> c < 0x20 || c == 0x7f), huge);
  }
}
