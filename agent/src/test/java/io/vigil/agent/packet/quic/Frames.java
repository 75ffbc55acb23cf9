package io.vigil.agent.packet.quic;

import java.io.ByteArrayOutputStream;

/** Test-only: QUIC frames and varints (RFC 9000 16, 19), encoded. */
final class Frames {
  private Frames() {}

  /** The shortest encoding of {@code v}. */
  static byte[] varint(long v) {
    if (v < 0x40) {
      return new byte[] {(byte) v};
    }
    if (v < 0x4000) {
      return new byte[] {(byte) (0x40 | (v >>> 8)), (byte) v};
    }
    if (v < 0x4000_0000L) {
      return new byte[] {(byte) (0x80 | (v >>> 24)), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
    byte[] b = new byte[8];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (v >>> (56 - 8 * i));
    }
    b[0] |= (byte) 0xc0;
    return b;
  }

  static byte[] crypto(long offset, byte[] data, int from, int to) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(InitialFrames.CRYPTO);
    out.writeBytes(varint(offset));
    out.writeBytes(varint(to - from));
    out.write(data, from, to - from);
    return out.toByteArray();
  }

  static byte[] crypto(long offset, byte[] data) {
    return crypto(offset, data, 0, data.length);
  }

  static byte[] ping() {
    return new byte[] {InitialFrames.PING};
  }

  static byte[] padding(int n) {
    return new byte[n];
  }

  /** An ACK frame with {@code ranges} extra (Gap, Length) pairs, ECN counts when {@code ecn}. */
  static byte[] ack(int ranges, boolean ecn) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(ecn ? InitialFrames.ACK_ECN : InitialFrames.ACK);
    out.writeBytes(varint(1000)); // largest acknowledged
    out.writeBytes(varint(25)); // ack delay
    out.writeBytes(varint(ranges));
    out.writeBytes(varint(3)); // first range
    for (int i = 0; i < ranges; i++) {
      out.writeBytes(varint(1));
      out.writeBytes(varint(2));
    }
    if (ecn) {
      out.writeBytes(varint(7));
      out.writeBytes(varint(0));
      out.writeBytes(varint(70000));
    }
    return out.toByteArray();
  }

  static byte[] connectionClose(String reason) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(InitialFrames.CONNECTION_CLOSE);
    out.writeBytes(varint(0x0a)); // PROTOCOL_VIOLATION
    out.writeBytes(varint(0x06));
    byte[] r = reason.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    out.writeBytes(varint(r.length));
    out.writeBytes(r);
    return out.toByteArray();
  }

  /**
   * A stand-in ClientHello handshake message of {@code total} bytes: type 1, the 24-bit length,
   * then a byte pattern that shows any misplaced piece.
   */
  static byte[] clientHello(int total) {
    byte[] m = new byte[total];
    int len = total - 4;
    m[0] = 1;
    m[1] = (byte) (len >>> 16);
    m[2] = (byte) (len >>> 8);
    m[3] = (byte) len;
    for (int i = 4; i < total; i++) {
      m[i] = (byte) (i * 31 + (i >>> 8));
    }
    return m;
  }

  /**
   * A TLS 1.3 ServerHello handshake message choosing {@code cipherSuite}: legacy_version 0x0303,
   * {@code random}, empty session id, supported_versions 0x0304 (and, for a HelloRetryRequest, a
   * key_share naming x25519).
   */
  static byte[] serverHello(byte[] random, int cipherSuite) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    b.write(0x03);
    b.write(0x03);
    b.writeBytes(random);
    b.write(0); // session id
    b.write(cipherSuite >>> 8);
    b.write(cipherSuite);
    b.write(0); // compression
    byte[] ext = {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x02, 0x00, 0x1d};
    b.write(0);
    b.write(ext.length);
    b.writeBytes(ext);
    byte[] body = b.toByteArray();
    byte[] m = new byte[4 + body.length];
    m[0] = 2;
    m[3] = (byte) body.length;
    System.arraycopy(body, 0, m, 4, body.length);
    return m;
  }

  /** The random that makes a ServerHello a HelloRetryRequest (RFC 8446 4.1.3). */
  static final byte[] HRR_RANDOM =
      java.util.HexFormat.of()
          .parseHex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
}
