package io.vigil.agent.packet.quic;

/**
 * A bounded cursor over {@code buf[pos, end)} reading bytes and QUIC variable-length integers (RFC
 * 9000 16). Running out of bytes throws the reason it was built with, so the same reader serves
 * headers ({@link QuicMalformed#TRUNCATED}) and frames ({@link QuicMalformed#BAD_FRAME}).
 */
final class WireReader {
  private final byte[] buf;
  private final int end;
  private final QuicMalformed shortReason;
  private int pos;

  WireReader(byte[] buf, int pos, int end, QuicMalformed shortReason) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.shortReason = shortReason;
  }

  int pos() {
    return pos;
  }

  int remaining() {
    return end - pos;
  }

  int u8() throws QuicMalformedException {
    need(1);
    return buf[pos++] & 0xff;
  }

  int u32() throws QuicMalformedException {
    need(4);
    int v =
        ((buf[pos] & 0xff) << 24)
            | ((buf[pos + 1] & 0xff) << 16)
            | ((buf[pos + 2] & 0xff) << 8)
            | (buf[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  /** A varint: the top two bits of the first byte give its length, 1, 2, 4 or 8 bytes. */
  long varint() throws QuicMalformedException {
    need(1);
    int len = 1 << ((buf[pos] & 0xff) >>> 6);
    need(len);
    long v = buf[pos] & 0x3f;
    for (int i = 1; i < len; i++) {
      v = (v << 8) | (buf[pos + i] & 0xff);
    }
    pos += len;
    return v;
  }

  /** A copy of the next {@code n} bytes. */
  byte[] bytes(long n) throws QuicMalformedException {
    need(n);
    byte[] out = new byte[(int) n];
    System.arraycopy(buf, pos, out, 0, (int) n);
    pos += (int) n;
    return out;
  }

  void skip(long n) throws QuicMalformedException {
    need(n);
    pos += (int) n;
  }

  private void need(long n) throws QuicMalformedException {
    if (n < 0 || n > end - pos) {
      throw new QuicMalformedException(shortReason);
    }
  }
}
