package io.vigil.agent.packet.app;

/**
 * Recognises a protocol from the first bytes of a stream, never from ports. Each check looks at a
 * prefix and answers {@link Detection#MORE} while the prefix is still consistent with its protocol
 * but too short to be sure, so a caller can feed bytes as they come. The candidates are told apart
 * by the first byte (0x16 TLS, 0x80 and up an SSLv2-format TLS hello, 0x04 SOCKS4, 0x05 SOCKS5, a
 * token character HTTP), so at most one can match. Stateless; never reads outside {@code b[off,
 * off+len)}.
 */
public final class ProtocolDetector {
  /** A check's answer. */
  public enum Detection {
    /** Consistent so far: more bytes are needed. */
    MORE,
    /** Not any protocol known here. */
    NONE,
    TLS,
    HTTP,
    SOCKS4,
    SOCKS5
  }

  /** The longest method token taken as HTTP (the registered ones have at most 17 characters). */
  static final int MAX_METHOD = 32;

  /** The largest TLS record: 2^14 bytes plus the most expansion TLS 1.2 allows. */
  private static final int MAX_TLS_RECORD = (1 << 14) + 2048;

  private ProtocolDetector() {}

  /** What the client's first bytes are. */
  public static Detection client(byte[] b, int off, int len) {
    if (len <= 0) {
      return Detection.MORE;
    }
    if (b[off] < 0) {
      return sslv2Hello(b, off, len);
    }
    return switch (b[off]) {
      case 0x16 -> tlsRecord(b, off, len, 1) ? Detection.TLS : orMore(b, off, len, 6);
      case 0x04 -> socks4(b, off, len);
      case 0x05 -> socks5Greeting(b, off, len);
      default -> httpRequest(b, off, len);
    };
  }

  /** What the server's first bytes are, for when the client's were not seen. */
  public static Detection server(byte[] b, int off, int len) {
    if (len <= 0) {
      return Detection.MORE;
    }
    if (b[off] == 0x16) {
      return tlsRecord(b, off, len, 2) ? Detection.TLS : orMore(b, off, len, 6);
    }
    return httpResponse(b, off, len);
  }

  /**
   * A TLS handshake record (type 22, version 0x0300 to 0x0304, length 1 to 2^14 + 2048) whose first
   * handshake message has {@code handshakeType}. Answers MORE via {@link #orMore} when short.
   */
  private static boolean tlsRecord(byte[] b, int off, int len, int handshakeType) {
    if (len < 6) {
      return false;
    }
    int length = (b[off + 3] & 0xFF) << 8 | (b[off + 4] & 0xFF);
    return b[off] == 0x16
        && b[off + 1] == 0x03
        && (b[off + 2] & 0xFF) <= 0x04
        && length >= 4
        && length <= MAX_TLS_RECORD
        && b[off + 5] == handshakeType;
  }

  /**
   * An SSLv2-format ClientHello, as old clients and scanners still send to offer SSL 3.0 and TLS: a
   * two-byte header with the top bit set and a length of 9 + at least 3 bytes of cipher specs, type
   * 1 (CLIENT-HELLO), version 2.0 or 3.0 to 3.4. Counted as TLS.
   */
  static Detection sslv2Hello(byte[] b, int off, int len) {
    if (len < 5) {
      boolean ok = (len < 3 || b[off + 2] == 1) && (len < 4 || b[off + 3] == 2 || b[off + 3] == 3);
      return ok ? Detection.MORE : Detection.NONE;
    }
    int length = (b[off] & 0x7F) << 8 | (b[off + 1] & 0xFF);
    int major = b[off + 3];
    int minor = b[off + 4] & 0xFF;
    boolean version = (major == 2 && minor == 0) || (major == 3 && minor <= 4);
    return length >= 12 && b[off + 2] == 1 && version ? Detection.TLS : Detection.NONE;
  }

  /** MORE when the prefix shorter than {@code need} is consistent with a TLS record, else NONE. */
  private static Detection orMore(byte[] b, int off, int len, int need) {
    if (len >= need) {
      return Detection.NONE;
    }
    boolean ok = (len < 2 || b[off + 1] == 0x03) && (len < 3 || (b[off + 2] & 0xFF) <= 0x04);
    return ok ? Detection.MORE : Detection.NONE;
  }

  /**
   * SOCKS4/4a: version 4, command CONNECT (1) or BIND (2), a non-zero port, an address, a user id
   * ending with NUL and, when the address is 0.0.0.x (x not 0, the 4a form), a host name ending
   * with NUL. User id and host are at most 255 bytes; the host must be printable.
   */
  static Detection socks4(byte[] b, int off, int len) {
    if (len >= 2 && b[off + 1] != 1 && b[off + 1] != 2) {
      return Detection.NONE;
    }
    if (len < 8) {
      return Detection.MORE;
    }
    if (b[off + 2] == 0 && b[off + 3] == 0) {
      return Detection.NONE;
    }
    boolean v4a = b[off + 4] == 0 && b[off + 5] == 0 && b[off + 6] == 0 && b[off + 7] != 0;
    if (!v4a && b[off + 4] == 0 && b[off + 5] == 0 && b[off + 6] == 0 && b[off + 7] == 0) {
      return Detection.NONE;
    }
    int userEnd = nulWithin(b, off + 8, off + len, 256, false);
    if (userEnd == -2) {
      return Detection.NONE;
    }
    if (userEnd < 0) {
      return Detection.MORE;
    }
    if (!v4a) {
      return Detection.SOCKS4;
    }
    int hostEnd = nulWithin(b, userEnd + 1, off + len, 256, true);
    if (hostEnd == -2 || hostEnd == userEnd + 1) {
      return Detection.NONE;
    }
    return hostEnd < 0 ? Detection.MORE : Detection.SOCKS4;
  }

  /**
   * The index of the NUL ending a string that starts at {@code from} within {@code max} bytes; -1
   * when the bytes end first, -2 when the string is too long (or, {@code printable}, holds a byte
   * that is not printable ASCII).
   */
  private static int nulWithin(byte[] b, int from, int end, int max, boolean printable) {
    for (int i = from; i < end; i++) {
      if (b[i] == 0) {
        return i;
      }
      if (i - from >= max - 1 || (printable && (b[i] < 0x21 || b[i] > 0x7E))) {
        return -2;
      }
    }
    return -1;
  }

  /**
   * A SOCKS5 greeting: version 5, 1 to 255 methods, each a defined one (0x00 to 0x09) or private
   * (0x80 to 0xFE).
   */
  static Detection socks5Greeting(byte[] b, int off, int len) {
    if (len < 2) {
      return Detection.MORE;
    }
    int n = b[off + 1] & 0xFF;
    if (n == 0) {
      return Detection.NONE;
    }
    for (int i = 0; i < n && 2 + i < len; i++) {
      int m = b[off + 2 + i] & 0xFF;
      if (!(m <= 0x09 || (m >= 0x80 && m <= 0xFE))) {
        return Detection.NONE;
      }
    }
    return len >= 2 + n ? Detection.SOCKS5 : Detection.MORE;
  }

  /**
   * An HTTP/1.x request line: a token (the method, any token), one or more spaces, a target of
   * bytes that are not control characters, one or more spaces, "HTTP/1." and a digit, then CRLF or
   * LF. Spaces inside the target are allowed (servers take such lines). Leading empty lines are
   * skipped. A line without the version is taken only in the narrow form {@link #versionless}
   * accepts.
   */
  static Detection httpRequest(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    int blank = 0;
    while (i < end && (b[i] == '\r' || b[i] == '\n') && blank < 4) {
      i++;
      blank++;
    }
    int m = i;
    while (i < end && isTchar(b[i])) {
      if (i - m >= MAX_METHOD) {
        return Detection.NONE;
      }
      i++;
    }
    if (i == end) {
      return Detection.MORE;
    }
    if (i == m || b[i] != ' ') {
      return Detection.NONE;
    }
    int lineStart = i;
    while (i < end && b[i] != '\n') {
      int c = b[i] & 0xFF;
      if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F) {
        return Detection.NONE;
      }
      if (c == '\r' && i + 1 < end && b[i + 1] != '\n') {
        return Detection.NONE;
      }
      i++;
    }
    if (i == end) {
      return Detection.MORE;
    }
    int lineEnd = i > lineStart && b[i - 1] == '\r' ? i - 1 : i;
    // " HTTP/1.d" ends the line, with a target before it.
    int v = lineEnd - 8;
    if (v - 1 <= lineStart || b[v - 1] != ' ' || !httpVersion1(b, v)) {
      return versionless(b, m, lineStart, lineEnd) ? Detection.HTTP : Detection.NONE;
    }
    for (int t = lineStart; t < v; t++) {
      if (b[t] != ' ') {
        return Detection.HTTP;
      }
    }
    return Detection.NONE;
  }

  /**
   * Methods taken without a version on the line ("GET /path", as HTTP/0.9 and some malware send).
   */
  private static final String[] COMMON_METHODS = {
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"
  };

  /**
   * A request line without a version: a common method, one space, and an origin-form target ({@code
   * /...}) without spaces. Narrower than the versioned form, since the version is what makes a line
   * HTTP otherwise.
   */
  private static boolean versionless(byte[] b, int method, int space, int lineEnd) {
    int t = space + 1;
    if (t >= lineEnd || b[t] != '/') {
      return false;
    }
    for (int k = t; k < lineEnd; k++) {
      if (b[k] == ' ' || b[k] == '\t') {
        return false;
      }
    }
    for (String c : COMMON_METHODS) {
      if (c.length() == space - method) {
        boolean same = true;
        for (int k = 0; k < c.length() && same; k++) {
          same = b[method + k] == c.charAt(k);
        }
        if (same) {
          return true;
        }
      }
    }
    return false;
  }

  /** "HTTP/1.d SP ddd". */
  static Detection httpResponse(byte[] b, int off, int len) {
    byte[] prefix = {'H', 'T', 'T', 'P', '/', '1', '.'};
    for (int i = 0; i < prefix.length; i++) {
      if (i == len) {
        return Detection.MORE;
      }
      if (b[off + i] != prefix[i]) {
        return Detection.NONE;
      }
    }
    for (int i = 7; i < 12; i++) {
      if (i == len) {
        return Detection.MORE;
      }
      byte c = b[off + i];
      boolean ok = i == 8 ? c == ' ' : c >= '0' && c <= '9';
      if (!ok) {
        return Detection.NONE;
      }
    }
    return Detection.HTTP;
  }

  private static boolean httpVersion1(byte[] b, int v) {
    return b[v] == 'H'
        && b[v + 1] == 'T'
        && b[v + 2] == 'T'
        && b[v + 3] == 'P'
        && b[v + 4] == '/'
        && b[v + 5] == '1'
        && b[v + 6] == '.'
        && b[v + 7] >= '0'
        && b[v + 7] <= '9';
  }

  private static boolean isTchar(byte c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      return true;
    }
    return switch (c) {
      case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
      default -> false;
    };
  }
}
