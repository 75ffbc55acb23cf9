package io.vigil.agent.packet.tls;

import java.util.Arrays;
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
 * bound is buffered. The body buffer grows (doubling from {@link #INITIAL_BODY} bytes) as bytes
 * actually arrive, never past the announced length: the 4-byte header alone is spoofable, so one
 * packet per connection must not pin a whole bound's worth of heap. Not thread-safe: one instance
 * per direction of one connection.
 */
public final class HandshakeAssembler {
  private static final int HEADER = 4;

  /** The body buffer's first size: most handshake messages but certificates fit. */
  static final int INITIAL_BODY = 512;

  private final HandshakeHandler handler;
  private final int maxMessageLength;
  private final byte[] header = new byte[HEADER];
  private int headerFill;
  private byte[] body; // grows towards bodyLength as bytes arrive
  private int bodyLength = -1; // the announced length, -1 when no body is begun
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
      if (bodyLength < 0) {
        int n = Math.min(HEADER - headerFill, end - p);
        System.arraycopy(b, p, header, headerFill, n);
        headerFill += n;
        p += n;
        if (headerFill == HEADER) {
          startBody();
        }
      } else {
        int n = Math.min(bodyLength - bodyFill, end - p);
        ensure(bodyFill + n);
        System.arraycopy(b, p, body, bodyFill, n);
        bodyFill += n;
        p += n;
        if (bodyFill == bodyLength) {
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
    bodyLength = length;
    body = new byte[Math.min(length, INITIAL_BODY)];
    bodyFill = 0;
    if (length == 0) {
      deliver();
    }
  }

  /**
   * Grows the body buffer to hold {@code need} bytes: doubling, never past the announced length.
   */
  private void ensure(int need) {
    if (need > body.length) {
      int size = (int) Math.min(bodyLength, Math.max(need, 2L * body.length));
      body = Arrays.copyOf(body, size);
    }
  }

  private void deliver() {
    byte[] message = body; // exactly bodyLength long: growth stops at the announced length
    body = null;
    bodyLength = -1;
    headerFill = 0;
    handler.message(header[0] & 0xff, message);
  }

  /** Ignore every later byte (the stream turned encrypted); buffered bytes are dropped. */
  public void stop() {
    stopped = true;
    body = null;
    bodyLength = -1;
  }

  /** Why the stream is malformed, or null. */
  public TlsMalformed malformed() {
    return malformed;
  }

  /** True when part of a message is buffered (a header or body begun and not finished). */
  public boolean midMessage() {
    return bodyLength >= 0 || headerFill > 0;
  }

  /** Bytes the body buffer holds room for now (0 when none): what the heap pays for this stream. */
  int bufferCapacity() {
    return body == null ? 0 : body.length;
  }
}
