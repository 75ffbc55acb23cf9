package io.vigil.agent.sensor.process.table;

/**
 * Cuts a command line to a byte budget for the table. The table keeps one per process (tens of
 * thousands of them, exited ones included), so it keeps a short prefix rather than the {@code
 * max_argv_bytes} an exec event carries. Stateless and thread-safe.
 */
public final class CommandLines {
  /** The most UTF-8 bytes of a command line a table entry (and so a parent or exit) keeps. */
  public static final int TABLE_MAX_BYTES = 1024;

  private CommandLines() {}

  /**
   * The longest prefix of {@code text} whose UTF-8 encoding fits {@code maxBytes}. The cut falls on
   * a character boundary and never inside an escape of {@code EscapedText} ({@code \\} or {@code
   * \xNN}), so the prefix still decodes to a prefix of the original bytes.
   */
  public static String bound(String text, int maxBytes) {
    if (text.length() * 3L <= maxBytes) {
      return text; // a UTF-16 unit never encodes to more than 3 bytes
    }
    int bytes = 0;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      int units = unitsAt(text, i);
      // An escape is ASCII, one byte a unit; a surrogate pair is one 4-byte character.
      int size = units == 1 ? utf8Length(c) : Character.isHighSurrogate(c) ? 4 : units;
      if (bytes + size > maxBytes) {
        return text.substring(0, i);
      }
      bytes += size;
      i += units;
    }
    return text;
  }

  /** UTF-16 units of the indivisible piece at {@code i}: an escape, a surrogate pair or a char. */
  private static int unitsAt(String s, int i) {
    char c = s.charAt(i);
    if (c == '\\' && i + 1 < s.length()) {
      char next = s.charAt(i + 1);
      if (next == '\\') {
        return 2;
      }
      if (next == 'x' && i + 3 < s.length()) {
        return 4;
      }
      return 1;
    }
    if (Character.isHighSurrogate(c)
        && i + 1 < s.length()
        && Character.isLowSurrogate(s.charAt(i + 1))) {
      return 2;
    }
    return 1;
  }

  private static int utf8Length(char c) {
    if (c < 0x80) {
      return 1;
    }
    return c < 0x800 ? 2 : 3; // a lone surrogate becomes '?' (1 byte); 3 over-counts, safely
  }
}
