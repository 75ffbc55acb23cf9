package io.vigil.agent.packet.tls;

/**
 * A bounds-checked cursor over part of a byte array, reading the TLS presentation language's
 * integers and length-prefixed vectors (RFC 8446 3). Every read that would pass the end throws
 * {@link TlsParseException} with the reason the reader was made with ({@link
 * TlsMalformed#TRUNCATED} for a message, {@link TlsMalformed#BAD_EXTENSION} inside an extension),
 * never an unchecked exception.
 */
final class TlsReader {
  private final byte[] b;
  private final int end;
  private final TlsMalformed overrun;
  private int pos;

  TlsReader(byte[] b, int off, int len, TlsMalformed overrun) {
    this.b = b;
    this.pos = off;
    this.end = off + len;
    this.overrun = overrun;
  }

  int remaining() {
    return end - pos;
  }

  int position() {
    return pos;
  }

  private void need(int n, String what) throws TlsParseException {
    if (end - pos < n) {
      throw new TlsParseException(
          overrun, what + " needs " + n + " bytes, " + (end - pos) + " left");
    }
  }

  int u8(String what) throws TlsParseException {
    need(1, what);
    return b[pos++] & 0xff;
  }

  int u16(String what) throws TlsParseException {
    need(2, what);
    int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  int u24(String what) throws TlsParseException {
    need(3, what);
    int v = ((b[pos] & 0xff) << 16) | ((b[pos + 1] & 0xff) << 8) | (b[pos + 2] & 0xff);
    pos += 3;
    return v;
  }

  void skip(int n, String what) throws TlsParseException {
    need(n, what);
    pos += n;
  }

  byte[] bytes(int n, String what) throws TlsParseException {
    need(n, what);
    byte[] out = new byte[n];
    System.arraycopy(b, pos, out, 0, n);
    pos += n;
    return out;
  }

  /** A reader over the next {@code n} bytes, which this reader skips. */
  TlsReader sub(int n, String what, TlsMalformed subOverrun) throws TlsParseException {
    need(n, what);
    TlsReader r = new TlsReader(b, pos, n, subOverrun);
    pos += n;
    return r;
  }

  /** A vector with a 1-, 2- or 3-byte length prefix: a reader over its contents. */
  TlsReader vector(int prefixBytes, String what) throws TlsParseException {
    int n =
        switch (prefixBytes) {
          case 1 -> u8(what);
          case 2 -> u16(what);
          default -> u24(what);
        };
    return sub(n, what, overrun);
  }

  /** A list of 16-bit values filling the rest of this reader (an odd byte count is malformed). */
  int[] u16List(String what, TlsMalformed oddLength) throws TlsParseException {
    if ((remaining() & 1) != 0) {
      throw new TlsParseException(oddLength, what + " has an odd length " + remaining());
    }
    int[] out = new int[remaining() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = u16(what);
    }
    return out;
  }

  /** A list of 8-bit values filling the rest of this reader. */
  int[] u8List(String what) throws TlsParseException {
    int[] out = new int[remaining()];
    for (int i = 0; i < out.length; i++) {
      out[i] = u8(what);
    }
    return out;
  }

  /** Throws {@code reason} when bytes are left. */
  void expectEnd(String what, TlsMalformed reason) throws TlsParseException {
    if (pos != end) {
      throw new TlsParseException(reason, (end - pos) + " bytes left after " + what);
    }
  }
}
