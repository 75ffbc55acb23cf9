package io.vigil.agent.packet.http;

import java.nio.charset.StandardCharsets;

/**
 * A parsed header section: the start line's parts and the header fields the parser uses. Parsing
 * never throws: a start line that is not HTTP/1.x gives null, and everything else is taken
 * leniently as servers take it (LF without CR, spaces around values and around the colon, folded
 * continuation lines, lines without a colon ignored).
 */
final class HttpHead {
  private static final byte SP = ' ';
  private static final byte HT = '\t';

  private static final int F_NONE = 0;
  private static final int F_HOST = 1;
  private static final int F_USER_AGENT = 2;
  private static final int F_REFERER = 3;
  private static final int F_CONTENT_TYPE = 4;
  private static final int F_CONNECTION = 5;
  private static final int F_CONTENT_LENGTH = 6;
  private static final int F_TRANSFER_ENCODING = 7;
  private static final int F_UPGRADE = 8;

  private static final byte[][] NAMES = {
    null,
    bytes("host"),
    bytes("user-agent"),
    bytes("referer"),
    bytes("content-type"),
    bytes("connection"),
    bytes("content-length"),
    bytes("transfer-encoding"),
    bytes("upgrade"),
  };

  private final int maxField;

  String method = "";
  String uri = "";
  String version = "";
  int status = -1;
  String host = "";
  String userAgent = "";
  String referer = "";
  String contentType = "";
  String connection = "";
  boolean upgrade;
  long contentLength = -1;
  boolean badLength;
  boolean chunked;
  boolean truncated;
  private final boolean[] seen = new boolean[NAMES.length];

  /** What a kept head costs besides its strings' characters: the objects and references. */
  private static final int RETAINED_OVERHEAD = 512;

  /**
   * The heap this head holds, at most: its strings (slices of the header section, so their
   * characters number at most its bytes) at two bytes a character, and the objects around them.
   */
  int retainedBytes() {
    long chars =
        (long) method.length()
            + uri.length()
            + version.length()
            + host.length()
            + userAgent.length()
            + referer.length()
            + contentType.length()
            + connection.length();
    return (int) Math.min(Integer.MAX_VALUE, RETAINED_OVERHEAD + 2 * chars);
  }

  private HttpHead(int maxField) {
    this.maxField = maxField;
  }

  /** A request's header section {@code b[0, len)}; null when its first line is no request line. */
  static HttpHead request(byte[] b, int len, HttpOptions o) {
    HttpHead h = new HttpHead(o.maxFieldLength());
    int lineEnd = lineEnd(b, 0, len);
    int contentEnd = trimCr(b, 0, lineEnd);
    int m = 0;
    while (m < contentEnd && isTchar(b[m])) {
      m++;
    }
    if (m == 0 || m >= contentEnd || (b[m] != SP && b[m] != HT)) {
      return null;
    }
    int targetStart = skipSpaces(b, m, contentEnd);
    int targetEnd = contentEnd;
    int v = versionStart(b, targetStart, contentEnd);
    if (v >= 0) {
      h.version = ascii(b, v, contentEnd);
      targetEnd = v;
      while (targetEnd > targetStart && (b[targetEnd - 1] == SP || b[targetEnd - 1] == HT)) {
        targetEnd--;
      }
    } else {
      // HTTP/0.9 form ("GET /path"): a target and nothing else.
      for (int i = targetStart; i < contentEnd; i++) {
        if (b[i] == SP || b[i] == HT) {
          return null;
        }
      }
    }
    if (targetEnd <= targetStart) {
      return null;
    }
    h.method = h.text(b, 0, m, o.maxFieldLength());
    h.uri = h.text(b, targetStart, targetEnd, o.maxUriLength());
    h.fields(b, lineEnd, len);
    return h;
  }

  /** A response's header section; null when its first line is no HTTP/1.x status line. */
  static HttpHead response(byte[] b, int len, HttpOptions o) {
    HttpHead h = new HttpHead(o.maxFieldLength());
    int lineEnd = lineEnd(b, 0, len);
    int contentEnd = trimCr(b, 0, lineEnd);
    if (!isVersion(b, 0, contentEnd) || contentEnd < 12 || b[8] != SP) {
      return null;
    }
    int s = 9;
    while (s < contentEnd && b[s] == SP) {
      s++; // some servers pad
    }
    if (s + 3 > contentEnd || (s + 3 < contentEnd && b[s + 3] != SP && b[s + 3] != HT)) {
      return null;
    }
    int status = 0;
    for (int i = s; i < s + 3; i++) {
      if (b[i] < '0' || b[i] > '9') {
        return null;
      }
      status = status * 10 + (b[i] - '0');
    }
    if (status < 100) {
      return null;
    }
    h.version = ascii(b, 0, 8);
    h.status = status;
    h.fields(b, lineEnd, len);
    return h;
  }

  /** The request record of this head. */
  HttpRequest request(long bodyBytes, long startNs, long endNs) {
    return new HttpRequest(
        method,
        uri,
        version,
        host,
        userAgent,
        referer,
        contentType,
        contentLength,
        chunked,
        connection,
        bodyBytes,
        truncated,
        startNs,
        endNs);
  }

  /** The response record of this head. */
  HttpResponse response(long bodyBytes, boolean complete, long startNs, long endNs) {
    return new HttpResponse(
        version,
        status,
        contentType,
        contentLength,
        chunked,
        connection,
        bodyBytes,
        complete,
        truncated,
        startNs,
        endNs);
  }

  private void fields(byte[] b, int from, int len) {
    int field = F_NONE; // the field a folded continuation line continues
    int i = from;
    while (i < len) {
      int end = lineEnd(b, i, len);
      int content = trimCr(b, i, end);
      if (content > i && (b[i] == SP || b[i] == HT)) {
        if (field != F_NONE) {
          // Appended within the bound only: a field already full takes no more (marked), so
          // thousands of continuation lines cost no more copying than the bound allows.
          String cur = get(field);
          if (cur.length() >= maxField) {
            truncated = true;
          } else {
            String more = text(b, i, content, maxField - cur.length() - 1);
            set(field, cur + " " + more, true);
          }
        }
      } else {
        field = F_NONE;
        int colon = indexOf(b, i, content, (byte) ':');
        if (colon > i) {
          int nameEnd = colon;
          while (nameEnd > i && (b[nameEnd - 1] == SP || b[nameEnd - 1] == HT)) {
            nameEnd--;
          }
          field = fieldOf(b, i, nameEnd);
          if (field != F_NONE) {
            value(field, b, colon + 1, content);
          }
        }
      }
      i = end;
    }
  }

  private void value(int field, byte[] b, int from, int to) {
    switch (field) {
      case F_CONTENT_LENGTH -> {
        long n = parseLength(b, from, to);
        if (n < 0 || (seen[field] && n != contentLength)) {
          badLength = true;
        }
        if (!seen[field]) {
          contentLength = n;
        }
        seen[field] = true;
      }
      case F_TRANSFER_ENCODING -> {
        // The last coding decides; a later header field continues the list.
        int last = from;
        for (int i = from; i < to; i++) {
          if (b[i] == ',') {
            last = i + 1;
          }
        }
        chunked = text(b, last, to, maxField).equalsIgnoreCase("chunked");
        seen[field] = true;
      }
      case F_UPGRADE -> upgrade = true;
      default -> {
        if (!seen[field]) {
          seen[field] = true;
          set(field, text(b, from, to, maxField), false);
        }
      }
    }
  }

  private String get(int field) {
    return switch (field) {
      case F_HOST -> host;
      case F_USER_AGENT -> userAgent;
      case F_REFERER -> referer;
      case F_CONTENT_TYPE -> contentType;
      case F_CONNECTION -> connection;
      default -> "";
    };
  }

  private void set(int field, String v, boolean appended) {
    if (appended && v.length() > maxField) {
      v = v.substring(0, maxField);
      truncated = true;
    }
    switch (field) {
      case F_HOST -> host = v;
      case F_USER_AGENT -> userAgent = v;
      case F_REFERER -> referer = v;
      case F_CONTENT_TYPE -> contentType = v;
      case F_CONNECTION -> connection = v;
      default -> {}
    }
  }

  /** A Content-Length value: digits, or a list of equal ones ("5, 5"); -1 when invalid. */
  private static long parseLength(byte[] b, int from, int to) {
    long result = -1;
    int i = from;
    while (true) {
      i = skipSpaces(b, i, to);
      int start = i;
      long n = 0;
      while (i < to && b[i] >= '0' && b[i] <= '9') {
        n = n * 10 + (b[i] - '0');
        if (n > (1L << 53)) {
          return -1;
        }
        i++;
      }
      if (i == start || (result >= 0 && n != result)) {
        return -1;
      }
      result = n;
      i = skipSpaces(b, i, to);
      if (i == to) {
        return result;
      }
      if (b[i] != ',') {
        return -1;
      }
      i++;
    }
  }

  private static int fieldOf(byte[] b, int from, int to) {
    for (int f = 1; f < NAMES.length; f++) {
      byte[] name = NAMES[f];
      if (to - from == name.length && equalsLower(b, from, name)) {
        return f;
      }
    }
    return F_NONE;
  }

  private static boolean equalsLower(byte[] b, int from, byte[] lower) {
    for (int i = 0; i < lower.length; i++) {
      int c = b[from + i];
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lower[i]) {
        return false;
      }
    }
    return true;
  }

  /** Trimmed, cut at {@code max} bytes (marking the head truncated), decoded as UTF-8. */
  private String text(byte[] b, int from, int to, int max) {
    while (from < to && (b[from] == SP || b[from] == HT)) {
      from++;
    }
    while (to > from && (b[to - 1] == SP || b[to - 1] == HT)) {
      to--;
    }
    if (to - from > max) {
      to = from + max;
      truncated = true;
    }
    return new String(b, from, to - from, StandardCharsets.UTF_8);
  }

  private static String ascii(byte[] b, int from, int to) {
    return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
  }

  /** Where " HTTP/d.d" ends the line {@code [from, end)}: the index of "HTTP", else -1. */
  private static int versionStart(byte[] b, int from, int end) {
    int v = end - 8;
    if (v <= from || (b[v - 1] != SP && b[v - 1] != HT) || !isVersion(b, v, end)) {
      return -1;
    }
    return v;
  }

  /** {@code b[from, from+8)} is "HTTP/d.d" and within {@code end}. */
  static boolean isVersion(byte[] b, int from, int end) {
    return from + 8 <= end
        && b[from] == 'H'
        && b[from + 1] == 'T'
        && b[from + 2] == 'T'
        && b[from + 3] == 'P'
        && b[from + 4] == '/'
        && b[from + 5] >= '0'
        && b[from + 5] <= '9'
        && b[from + 6] == '.'
        && b[from + 7] >= '0'
        && b[from + 7] <= '9';
  }

  /** RFC 9110 token characters. */
  static boolean isTchar(byte c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      return true;
    }
    return switch (c) {
      case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
      default -> false;
    };
  }

  /** The index just past the line starting at {@code from} (after its LF), or {@code len}. */
  private static int lineEnd(byte[] b, int from, int len) {
    for (int i = from; i < len; i++) {
      if (b[i] == '\n') {
        return i + 1;
      }
    }
    return len;
  }

  /** The end of the line's content: before its LF and a CR before that. */
  private static int trimCr(byte[] b, int from, int end) {
    if (end > from && b[end - 1] == '\n') {
      end--;
    }
    if (end > from && b[end - 1] == '\r') {
      end--;
    }
    return end;
  }

  private static int skipSpaces(byte[] b, int from, int end) {
    while (from < end && (b[from] == SP || b[from] == HT)) {
      from++;
    }
    return from;
  }

  private static int indexOf(byte[] b, int from, int to, byte c) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
