package io.vigil.collector.sink;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Text rules shared by the syslog and CEF formatters: every string from an alert is
 * attacker-influenced, so it is cleaned (no control characters, no lone surrogates), escaped for
 * the field it goes into, and bounded in UTF-8 bytes without cutting a character or an escape
 * sequence in two. Stateless.
 */
final class SyslogText {
  /** What replaces a character no format may carry: U+FFFD REPLACEMENT CHARACTER. */
  static final int REPLACEMENT = 0xFFFD;

  private SyslogText() {}

  /**
   * The code point as it may appear in any output: a tab becomes a space (it is whitespace to every
   * reader, but a field separator to some); other C0 and C1 controls, DEL, lone surrogates and the
   * Unicode line and paragraph separators become U+FFFD. CR and LF are kept: each format says what
   * a line break becomes.
   */
  static int clean(int cp) {
    if (cp == '\t') {
      return ' ';
    }
    if (cp == '\n' || cp == '\r') {
      return cp;
    }
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x2028 || cp == 0x2029) {
      return REPLACEMENT;
    }
    if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
      return REPLACEMENT; // codePointAt returns an unpaired surrogate as itself
    }
    return cp;
  }

  /**
   * {@code s} cleaned ({@link #clean}), each code point replaced by {@code escape.apply(cp)} when
   * that is not null, cut so its UTF-8 form has at most {@code maxBytes} bytes. Cuts only between
   * whole (escaped) code points; {@code null} is taken as empty.
   */
  static String escapeWithin(String s, int maxBytes, IntFunction<String> escape) {
    if (s == null || maxBytes <= 0) {
      return "";
    }
    StringBuilder out = new StringBuilder(Math.min(s.length() + 16, maxBytes));
    int bytes = 0;
    for (int i = 0; i < s.length(); ) {
      int raw = s.codePointAt(i);
      i += Character.charCount(raw);
      int cp = clean(raw);
      String esc = escape.apply(cp);
      int n = esc == null ? utf8Length(cp) : utf8Length(esc);
      if (bytes + n > maxBytes) {
        break;
      }
      bytes += n;
      if (esc == null) {
        out.appendCodePoint(cp);
      } else {
        out.append(esc);
      }
    }
    return out.toString();
  }

  /** Bytes of a code point in UTF-8. */
  static int utf8Length(int cp) {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }

  /** UTF-8 bytes of a string that {@link #escapeWithin} made (no lone surrogates). */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      n += utf8Length(cp);
    }
    return n;
  }

  /**
   * A header token of RFC 5424 (HOSTNAME, APP-NAME): printable US-ASCII (33..126) only, any other
   * character as {@code _}, at most {@code maxChars}; {@code -} (the NILVALUE) when empty.
   */
  static String printableAscii(String s, int maxChars) {
    if (s == null || s.isEmpty()) {
      return "-";
    }
    StringBuilder out = new StringBuilder(Math.min(s.length(), maxChars));
    for (int i = 0; i < s.length() && out.length() < maxChars; i++) {
      char c = s.charAt(i);
      out.append(c > 32 && c < 127 ? c : '_');
    }
    return out.toString();
  }

  /**
   * A PARAM-VALUE of RFC 5424 STRUCTURED-DATA: {@code "}, {@code \} and {@code ]} escaped with a
   * backslash (section 6.3.3), line breaks as spaces, at most {@code maxBytes} bytes once escaped.
   */
  static String paramValue(String s, int maxBytes) {
    return escapeWithin(
        s,
        maxBytes,
        cp ->
            switch (cp) {
              case '"' -> "\\\"";
              case '\\' -> "\\\\";
              case ']' -> "\\]";
              case '\n', '\r' -> " ";
              default -> null;
            });
  }

  /**
   * The first at most {@code maxBytes} bytes of UTF-8 text, cut before a character's first byte
   * (never inside a multi-byte character). The last resort when a message's fixed parts alone
   * exceed the limit.
   */
  static byte[] cutUtf8(byte[] utf8, int maxBytes) {
    if (utf8.length <= maxBytes) {
      return utf8;
    }
    int end = maxBytes;
    while (end > 0 && (utf8[end] & 0xc0) == 0x80) {
      end--; // utf8[end] continues the character that starts before it: cut before that one
    }
    return Arrays.copyOf(utf8, end);
  }
}
