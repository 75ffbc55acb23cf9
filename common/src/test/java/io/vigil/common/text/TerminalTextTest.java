package io.vigil.common.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
