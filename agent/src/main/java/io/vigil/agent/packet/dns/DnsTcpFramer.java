package io.vigil.agent.packet.dns;

/**
 * Splits one TCP segment's payload into DNS messages by their 2-byte length prefix (RFC 1035 4.2.2,
 * RFC 7766). Only messages that lie wholly inside the segment are handed on: a message that
 * continues into the next segment, or a segment that starts in the middle of one, cannot be framed
 * without stream reassembly (issue #7), so the bytes left over are reported and the caller counts
 * them as {@code split}. A segment that starts mid-message may also be misread as a prefix; the
 * parser then reports the "message" as malformed. Stateless.
 */
public final class DnsTcpFramer {
  /** Receives each whole message: {@code buf[off, off+len)}, valid only during the call. */
  public interface MessageHandler {
    void message(byte[] buf, int off, int len);
  }

  private DnsTcpFramer() {}

  /**
   * Hands every whole length-prefixed message in {@code buf[off, off+len)} to the handler, in
   * order; zero-length messages are skipped. Returns the number of bytes at the end that did not
   * form a whole message (0 when the segment held whole messages only).
   */
  public static int frame(byte[] buf, int off, int len, MessageHandler handler) {
    int p = off;
    int end = off + len;
    while (end - p >= 2) {
      int n = ((buf[p] & 0xff) << 8) | (buf[p + 1] & 0xff);
      if (end - p - 2 < n) {
        break;
      }
      if (n > 0) {
        handler.message(buf, p + 2, n);
      }
      p += 2 + n;
    }
    return end - p;
  }
}
