package io.vigil.detect.lint;

/**
 * Rule files are other people's text, their names too: before a path or a message quoting a rule
 * goes to a terminal, control characters (C0, DEL, C1: every escape sequence), bidirectional
 * overrides and line separators become {@code \xNN} / {@code \\uNNNN}, and backslashes are doubled
 * so the escaping is unambiguous. Output is cut at a bound with a visible marker. The collector's
 * {@code TerminalText} does the same; detect does not depend on the collector.
 */
public final class PrintableText {
  private PrintableText() {}

  public static String escape(String s, int maxChars) {
    StringBuilder out = new StringBuilder(Math.min(s.length(), maxChars) + 8);
    for (int i = 0; i < s.length(); ) {
      if (out.length() >= maxChars) {
        out.append("...[").append(s.length() - i).append(" more chars]");
        break;
      }
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == '\\') {
        out.append("\\\\");
      } else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
        out.append(String.format("\\x%02x", cp));
      } else if ((cp >= 0x200b && cp <= 0x200f)
          || (cp >= 0x2028 && cp <= 0x202e)
          || (cp >= 0x2066 && cp <= 0x2069)
          || cp == 0xfeff
          || Character.getType(cp) == Character.SURROGATE
          || Character.getType(cp) == Character.UNASSIGNED) {
        out.append(String.format("\\u%04x", cp));
      } else {
        out.appendCodePoint(cp);
      }
    }
    return out.toString();
  }
}
