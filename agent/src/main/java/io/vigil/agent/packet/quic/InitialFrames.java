package io.vigil.agent.packet.quic;

/**
 * Walks the frames of a decrypted Initial payload (RFC 9000 12.4, 19) and hands each CRYPTO frame's
 * data to a sink. An Initial may carry only PADDING, PING, ACK (with or without ECN counts), CRYPTO
 * and the transport CONNECTION_CLOSE; these are read or skipped by their encoded lengths, and
 * anything else ends the walk. Stateless; thread-safe.
 */
public final class InitialFrames {
  static final int PADDING = 0x00;
  static final int PING = 0x01;
  static final int ACK = 0x02;
  static final int ACK_ECN = 0x03;
  static final int CRYPTO = 0x06;
  static final int CONNECTION_CLOSE = 0x1c;

  /** Receives CRYPTO frame data: stream offset and {@code buf[off, off+len)}, valid in the call. */
  public interface CryptoSink {
    void crypto(long offset, byte[] buf, int off, int len);
  }

  private InitialFrames() {}

  /**
   * Reads every frame in {@code payload[off, off+len)}, in order, giving CRYPTO data to {@code
   * sink} as it goes; the frames before a bad one have been handed on when this throws.
   *
   * @return the number of CRYPTO frames handed on
   * @throws QuicMalformedException {@link QuicMalformed#BAD_FRAME} when a frame runs past the
   *     payload; {@link QuicMalformed#UNEXPECTED_FRAME} for a frame type not allowed in Initial
   *     packets (a multi-byte frame type included: every allowed type fits one byte)
   */
  public static int parse(byte[] payload, int off, int len, CryptoSink sink)
      throws QuicMalformedException {
    WireReader r = new WireReader(payload, off, off + len, QuicMalformed.BAD_FRAME);
    int cryptoFrames = 0;
    while (r.remaining() > 0) {
      int type = r.u8();
      switch (type) {
        case PADDING, PING -> {}
        case ACK, ACK_ECN -> skipAck(r, type == ACK_ECN);
        case CRYPTO -> {
          long offset = r.varint();
          long length = r.varint();
          int dataOffset = r.pos();
          r.skip(length);
          sink.crypto(offset, payload, dataOffset, (int) length);
          cryptoFrames++;
        }
        case CONNECTION_CLOSE -> {
          r.varint(); // error code
          r.varint(); // frame type that caused it
          r.skip(r.varint()); // reason phrase
        }
        default -> throw new QuicMalformedException(QuicMalformed.UNEXPECTED_FRAME);
      }
    }
    return cryptoFrames;
  }

  /**
   * Largest Acknowledged, ACK Delay, ACK Range Count, First ACK Range, then Count (Gap, Length)
   * pairs, then three ECN counts for type 0x03 (RFC 9000 19.3). Each pair takes at least two bytes,
   * so a huge Range Count ends at the payload's end, not after 2^62 turns.
   */
  private static void skipAck(WireReader r, boolean ecn) throws QuicMalformedException {
    r.varint();
    r.varint();
    long ranges = r.varint();
    r.varint();
    for (long i = 0; i < ranges; i++) {
      r.varint();
      r.varint();
    }
    if (ecn) {
      r.varint();
      r.varint();
      r.varint();
    }
  }
}
