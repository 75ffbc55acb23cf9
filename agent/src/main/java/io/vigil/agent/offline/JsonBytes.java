package io.vigil.agent.offline;

import java.io.IOException;
import java.io.OutputStream;

/**
 * JSON text written straight to UTF-8 bytes in one reused buffer, flushed to an output stream when
 * full: the offline output's writer, in place of a {@code StringBuilder} per event, a {@code
 * String} per line and a charset encoder. Strings are escaped exactly as protobuf's JSON printer
 * escapes them (it goes through Gson with HTML escaping: control characters, {@code " \ < > & = '}
 * and U+2028/U+2029); a lone surrogate becomes {@code ?}, as the JDK's UTF-8 encoder writes it. Not
 * thread-safe.
 */
final class JsonBytes {
  private static final byte[] HEX =
      "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * For each ASCII character: 0 written as is, 1 a \\u escape, else the letter after a backslash.
   */
  private static final byte[] ESCAPE = new byte[128];

  static {
    for (int c = 0; c < 0x20; c++) {
      ESCAPE[c] = 1;
    }
    ESCAPE['"'] = '"';
    ESCAPE['\\'] = '\\';
    ESCAPE['\t'] = 't';
    ESCAPE['\b'] = 'b';
    ESCAPE['\n'] = 'n';
    ESCAPE['\r'] = 'r';
    ESCAPE['\f'] = 'f';
    for (char c : "<>&='".toCharArray()) {
      ESCAPE[c] = 1;
    }
  }

  private final OutputStream out;
  private final byte[] buf;
  private int n;

  JsonBytes(OutputStream out, int bufferSize) {
    this.out = out;
    // Room for the longest single write (a number, an escape, one character) past the check.
    this.buf = new byte[Math.max(bufferSize, 64)];
  }

  /** Writes out what is buffered, then flushes the stream. */
  void flush() throws IOException {
    drain();
    out.flush();
  }

  private void drain() throws IOException {
    if (n > 0) {
      out.write(buf, 0, n);
      n = 0;
    }
  }

  private void room(int k) throws IOException {
    if (n + k > buf.length) {
      drain();
    }
  }

  /** One ASCII character. */
  JsonBytes ascii(char c) throws IOException {
    room(1);
    buf[n++] = (byte) c;
    return this;
  }

  /** Bytes already encoded (field names and other constant text). */
  JsonBytes raw(byte[] b) throws IOException {
    if (b.length > buf.length - n) {
      drain();
      if (b.length > buf.length) {
        out.write(b);
        return this;
      }
    }
    System.arraycopy(b, 0, buf, n, b.length);
    n += b.length;
    return this;
  }

  /** Text as UTF-8, unescaped (already JSON); a lone surrogate is written as {@code ?}. */
  JsonBytes text(CharSequence s) throws IOException {
    int len = s.length();
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        room(1);
        buf[n++] = (byte) c;
      } else {
        i = nonAscii(s, i, c);
      }
    }
    return this;
  }

  /** A quoted JSON string, escaped as protobuf's JSON printer escapes it. */
  JsonBytes string(String s) throws IOException {
    room(1);
    buf[n++] = '"';
    int len = s.length();
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        byte e = ESCAPE[c];
        if (e == 0) {
          room(1);
          buf[n++] = (byte) c;
        } else if (e == 1) {
          unicodeEscape(c);
        } else {
          room(2);
          buf[n++] = '\\';
          buf[n++] = e;
        }
      } else if (c == '\u2028' || c == '\u2029') {
        unicodeEscape(c);
      } else {
        i = nonAscii(s, i, c);
      }
    }
    room(1);
    buf[n++] = '"';
    return this;
  }

  private void unicodeEscape(char c) throws IOException {
    room(6);
    buf[n++] = '\\';
    buf[n++] = 'u';
    buf[n++] = HEX[(c >> 12) & 0xf];
    buf[n++] = HEX[(c >> 8) & 0xf];
    buf[n++] = HEX[(c >> 4) & 0xf];
    buf[n++] = HEX[c & 0xf];
  }

  /** Encodes the non-ASCII character at i (a surrogate pair takes two); returns the last index. */
  private int nonAscii(CharSequence s, int i, char c) throws IOException {
    room(4);
    if (c < 0x800) {
      buf[n++] = (byte) (0xc0 | (c >> 6));
      buf[n++] = (byte) (0x80 | (c & 0x3f));
    } else if (!Character.isSurrogate(c)) {
      buf[n++] = (byte) (0xe0 | (c >> 12));
      buf[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
      buf[n++] = (byte) (0x80 | (c & 0x3f));
    } else if (Character.isHighSurrogate(c)
        && i + 1 < s.length()
        && Character.isLowSurrogate(s.charAt(i + 1))) {
      int cp = Character.toCodePoint(c, s.charAt(i + 1));
      buf[n++] = (byte) (0xf0 | (cp >> 18));
      buf[n++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
      buf[n++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
      buf[n++] = (byte) (0x80 | (cp & 0x3f));
      return i + 1;
    } else {
      buf[n++] = '?';
    }
    return i;
  }

  /** A uint32 as protobuf prints it: unquoted, unsigned. */
  JsonBytes uint32(int v) throws IOException {
    return digits(v & 0xffffffffL);
  }

  /** A uint64 or fixed64 as protobuf prints it: quoted, unsigned. */
  JsonBytes uint64(long v) throws IOException {
    room(1);
    buf[n++] = '"';
    if (v >= 0) {
      digits(v);
    } else {
      // Above Long.MAX_VALUE: rare enough for the library's conversion.
      text(Long.toUnsignedString(v));
    }
    room(1);
    buf[n++] = '"';
    return this;
  }

  /** 10^1 .. 10^18: a number below POW10[k] has at most k + 1 digits. */
  private static final long[] POW10 = new long[18];

  static {
    long p = 10;
    for (int k = 0; k < POW10.length; k++, p *= 10) {
      POW10[k] = p;
    }
  }

  /**
   * A non-negative number in decimal, written from its last digit back: pairs of digits by long
   * division while it needs more than an int, then int arithmetic (nanosecond timestamps have 19
   * digits, and a digit at a time by long division was the writer's largest cost).
   */
  private JsonBytes digits(long v) throws IOException {
    room(20);
    int len = 1;
    while (len <= POW10.length && v >= POW10[len - 1]) {
      len++;
    }
    int end = n + len;
    int p = end;
    while (v > Integer.MAX_VALUE) {
      long q = v / 100;
      int r = (int) (v - q * 100);
      buf[--p] = (byte) ('0' + r % 10);
      buf[--p] = (byte) ('0' + r / 10);
      v = q;
    }
    int i = (int) v;
    while (i >= 10) {
      int q = i / 10;
      buf[--p] = (byte) ('0' + (i - q * 10));
      i = q;
    }
    buf[--p] = (byte) ('0' + i);
    n = end;
    return this;
  }
}
