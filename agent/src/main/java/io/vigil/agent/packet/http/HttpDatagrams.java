package io.vigil.agent.packet.http;

import java.util.Arrays;

/**
 * HTTP over UDP (HTTPU, as SSDP's M-SEARCH and NOTIFY use it): each datagram is one whole message,
 * header section only (any body is not read). The caller decides which datagrams are HTTP (by
 * content: {@code io.vigil.agent.packet.app.ProtocolDetector}). Stateless; never throws.
 */
public final class HttpDatagrams {
  private HttpDatagrams() {}

  /**
   * The message in {@code b[off, off+len)}: a request (response null) or a response (request null);
   * null when the datagram's first line is neither. The header section ends at the first empty line
   * or at the datagram's end, and is read up to {@link HttpOptions#maxHeaderBytes}.
   */
  public static HttpTransaction parse(
      byte[] b, int off, int len, long timestampNs, HttpOptions options) {
    int start = off;
    int end = off + len;
    while (start < end && (b[start] == '\r' || b[start] == '\n')) {
      start++;
    }
    int headEnd = Math.min(end, start + options.maxHeaderBytes());
    for (int i = start; i + 1 < headEnd; i++) {
      if (b[i] == '\n'
          && (b[i + 1] == '\n' || (b[i + 1] == '\r' && i + 2 < headEnd && b[i + 2] == '\n'))) {
        headEnd = i + 1;
        break;
      }
    }
    byte[] head = Arrays.copyOfRange(b, start, headEnd);
    if (head.length >= 5 && head[0] == 'H' && head[1] == 'T' && head[4] == '/') {
      HttpHead h = HttpHead.response(head, head.length, options);
      if (h == null) {
        return null;
      }
      return new HttpTransaction(null, h.response(0, true, timestampNs, timestampNs));
    }
    HttpHead h = HttpHead.request(head, head.length, options);
    if (h == null) {
      return null;
    }
    return new HttpTransaction(h.request(0, timestampNs, timestampNs), null);
  }
}
