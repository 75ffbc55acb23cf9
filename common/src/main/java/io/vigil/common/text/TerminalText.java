package io.vigil.common.text;

/**
 * Makes attacker-controlled text safe to print on a terminal: control characters (C0, DEL, C1,
 * which include ESC and so every terminal escape sequence), bidirectional overrides and line
 * separators are shown as {@code \xNN} / {@code \\uNNNN}, backslashes are doubled so that the
 * escaping itself is unambiguous, and the result is cut at a bound with a visible marker.
 */
public final class TerminalText {
  private TerminalText() {}

  /** Escaped {@code s}, at most about {@code maxChars} characters plus a truncation marker. */
  public static String escape(String s, int maxChars) {
    StringBuilder out = new StringBuilder(Math.min(s.length(), maxChars) + 8);
    for (int i = 0; i < s.length(); ) {
      if (out.length() >= maxChars) {
        out.append("…[").append(s.length() - i).append(" more chars]");
        break;
      }
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '\\') {
        out.append("\\\\");
      } else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
        out.append(String.format("\\x%02x", cp));
      } else if (isInvisibleOrReordering(cp)) {
        out.append(String.format("\\u%04x", cp));
      } else {
        out.appendCodePoint(cp);
      }
    }
    return out.toString();
  }

  private static boolean isInvisibleOrReordering(int cp) {
    return (cp >= 0x200b && cp <= 0x200f) // zero-width and directional marks
        || (cp >= 0x2028 && cp <= 0x202e) // line/paragraph separators, bidi embeddings/overrides
        || (cp >= 0x2066 && cp <= 0x2069) // bidi isolates
        || cp == 0xfeff
        || Character.getType(cp) == Character.SURROGATE
        || Character.getType(cp) == Character.UNASSIGNED;
  }
}
