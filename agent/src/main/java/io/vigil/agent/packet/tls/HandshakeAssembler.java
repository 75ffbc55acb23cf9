package io.vigil.agent.packet.tls;

import java.util.Objects;

/**
 * Cuts a stream of handshake bytes into handshake messages (RFC 8446 4: a type byte, a 24-bit
 * length, the body). The bytes are record payloads of content type 22 for TLS over TCP ({@link
 * TlsRecordAssembler} feeds it) or the CRYPTO stream of QUIC (RFC 9001 4), which carries handshake
 * messages without records. A message may arrive in any number of pieces and one piece may hold
 * several messages.
 *
 * <p>Bounded: a header announcing a body longer than the bound ends the stream as {@link
 * TlsMalformed#TOO_LARGE} before anything is allocated for it, so at most one body of at most the
 * bound is buffered. Not thread-safe: one instance per direction of one connection.
 */
public final class HandshakeAssembler {
  private static final int HEADER = 4;

  private final HandshakeHandler handler;
  private final int maxMessageLength;
  private final byte[] header = new byte[HEADER];
  private int headerFill;
  private byte[] body;
  private int bodyFill;
  private TlsMalformed malformed;
  private boolean stopped;

  /**
   * @param handler receives each complete message
   * @param maxMessageLength the largest body accepted, in bytes (at least 1)
   */
  public HandshakeAssembler(HandshakeHandler handler, int maxMessageLength) {
    if (maxMessageLength < 1) {
      throw new IllegalArgumentException("maxMessageLength must be positive: " + maxMessageLength);
    }
    this.handler = Objects.requireNonNull(handler, "handler");
    this.maxMessageLength = maxMessageLength;
  }

  /**
   * Consumes {@code b[off, off+len)}, handing every message it completes to the handler before
   * returning. Does nothing once {@link #stop stopped} or malformed, also when the handler stops it
   * part-way through a piece.
   *
   * @return false when the stream is malformed (now or before)
   * @throws IndexOutOfBoundsException when the range is not inside {@code b} (a caller bug)
   */
  public boolean feed(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    int p = off;
    int end = off + len;
    while (p < end && !stopped && malformed == null) {
      if (body == null) {
        int n = Math.min(HEADER - headerFill, end - p);
        System.arraycopy(b, p, header, headerFill, n);
        headerFill += n;
        p += n;
        if (headerFill == HEADER) {
          startBody();
        }
      } else {
        int n = Math.min(body.length - bodyFill, end - p);
        System.arraycopy(b, p, body, bodyFill, n);
        bodyFill += n;
        p += n;
        if (bodyFill == body.length) {
          deliver();
        }
      }
    }
    return malformed == null;
  }

  private void startBody() {
    int length = ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8) | (header[3] & 0xff);
    if (length > maxMessageLength) {
      malformed = TlsMalformed.TOO_LARGE;
      return;
    }
    body = new byte[length];
    bodyFill = 0;
    if (length == 0) {
      deliver();
    }
  }

  private void deliver() {
    byte[] message = body;
    body = null;
    headerFill = 0;
    handler.message(header[0] & 0xff, message);
  }

  /** Ignore every later byte (the stream turned encrypted); buffered bytes are dropped. */
  public void stop() {
    stopped = true;
    body = null;
  }

  /** Why the stream is malformed, or null. */
  public TlsMalformed malformed() {
    return malformed;
  }

  /** True when part of a message is buffered (a header or body begun and not finished). */
  public boolean midMessage() {
    return body != null || headerFill > 0;
  }
}
