package io.vigil.agent.packet.quic;

/**
 * Stateless helpers that find and open QUIC Initial packets (RFC 9000 17.2.2, RFC 9001 5): long
 * header parsing, header protection removal (AES-128-ECB of a 16-byte sample, RFC 9001 5.4) and
 * AES-128-GCM payload decryption with the header as AAD (RFC 9001 5.3). Nothing here keeps state or
 * does I/O; {@link QuicClientHelloAssembler} adds the per-connection parts (key cache, largest
 * packet number, CRYPTO reassembly).
 *
 * <p>Every method reads only inside {@code buf[off, off+len)} (or up to {@code end}), never writes
 * to it, and reports unusable input as a {@link QuicMalformedException}; thread-safe.
 */
public final class QuicInitialDecryptor {
  /**
   * The smallest UDP payload that carries a client's Initial packet: clients pad every such
   * datagram to at least 1200 bytes (RFC 9000 14.1), which makes the size a cheap, strong signal.
   */
  public static final int MIN_CLIENT_INITIAL_DATAGRAM = 1200;

  /** Longest connection ID in the versions known here (RFC 9000 17.2). */
  public static final int MAX_CONNECTION_ID = 20;

  private QuicInitialDecryptor() {}

  /**
   * Content-based detection of a client's Initial on any UDP port, without decrypting: at least
   * {@link #MIN_CLIENT_INITIAL_DATAGRAM} bytes, a long header with the fixed bit set, a known
   * {@link QuicVersion}, that version's Initial type, and connection IDs, token and Length that fit
   * the datagram. A true answer is still unauthenticated; only decryption proves the packet.
   */
  public static boolean looksLikeQuicInitial(byte[] buf, int off, int len) {
    if (buf == null || off < 0 || len < MIN_CLIENT_INITIAL_DATAGRAM || len > buf.length - off) {
      return false;
    }
    if ((buf[off] & 0xc0) != 0xc0) {
      return false;
    }
    try {
      return parseLongHeader(buf, off, off + len).initial();
    } catch (QuicMalformedException e) {
      return false;
    }
  }

  /**
   * Reads the long header of the packet at {@code buf[off]}, ending no later than {@code end}.
   *
   * @throws QuicMalformedException {@link QuicMalformed#NOT_LONG_HEADER} for a short header; {@link
   *     QuicMalformed#UNEXPECTED_PACKET} for Version Negotiation (version 0) and Retry, which have
   *     no Length and which clients do not send; {@link QuicMalformed#UNKNOWN_VERSION}; {@link
   *     QuicMalformed#BAD_CONNECTION_ID}; {@link QuicMalformed#TRUNCATED} when a field or the
   *     Length runs past {@code end}; {@link QuicMalformed#TOO_SHORT} for an Initial too short for
   *     the header protection sample
   */
  public static LongHeader parseLongHeader(byte[] buf, int off, int end)
      throws QuicMalformedException {
    WireReader r = new WireReader(buf, off, end, QuicMalformed.TRUNCATED);
    int first = r.u8();
    if ((first & 0x80) == 0) {
      throw new QuicMalformedException(QuicMalformed.NOT_LONG_HEADER);
    }
    int wire = r.u32();
    if (wire == 0) {
      throw new QuicMalformedException(QuicMalformed.UNEXPECTED_PACKET);
    }
    QuicVersion version = QuicVersion.of(wire);
    if (version == null) {
      throw new QuicMalformedException(QuicMalformed.UNKNOWN_VERSION);
    }
    int type = (first >>> 4) & 0x03;
    if (type == version.retryType()) {
      throw new QuicMalformedException(QuicMalformed.UNEXPECTED_PACKET);
    }
    byte[] dcid = connectionId(r);
    byte[] scid = connectionId(r);
    boolean initial = type == version.initialType();
    byte[] token = initial ? r.bytes(r.varint()) : new byte[0];
    long length = r.varint();
    if (length > r.remaining()) {
      throw new QuicMalformedException(QuicMalformed.TRUNCATED);
    }
    // The sample starts 4 bytes after the packet number field, whatever its real length.
    if (initial && length < 4 + InitialKeys.SAMPLE_LENGTH) {
      throw new QuicMalformedException(QuicMalformed.TOO_SHORT);
    }
    int pnOffset = r.pos();
    return new LongHeader(version, type, dcid, scid, token, off, pnOffset, pnOffset + (int) length);
  }

  /**
   * Removes header protection from the Initial packet {@code header} describes in {@code buf} and
   * decrypts its payload. {@code header} must be what {@link #parseLongHeader} read from this same
   * {@code buf} (its offsets are trusted). {@code buf} is not modified: the unprotected header is a
   * copy.
   *
   * @param largestPacketNumber the largest packet number decrypted before in this packet number
   *     space, -1 when none, to decode the truncated packet number (RFC 9000 17.1)
   * @throws QuicMalformedException {@link QuicMalformed#UNEXPECTED_PACKET} when {@code header} is
   *     not an Initial; {@link QuicMalformed#UNDECRYPTABLE} when the AEAD tag does not verify
   *     (other keys, or damaged or forged bytes)
   */
  public static InitialPacket open(
      byte[] buf, LongHeader header, InitialKeys keys, long largestPacketNumber)
      throws QuicMalformedException {
    if (!header.initial()) {
      throw new QuicMalformedException(QuicMalformed.UNEXPECTED_PACKET);
    }
    int pnOffset = header.packetNumberOffset();
    byte[] mask = keys.headerMask(buf, pnOffset + 4);
    int first = (buf[header.start()] ^ (mask[0] & 0x0f)) & 0xff;
    int pnLength = (first & 0x03) + 1;
    byte[] aad = new byte[pnOffset + pnLength - header.start()];
    System.arraycopy(buf, header.start(), aad, 0, aad.length);
    aad[0] = (byte) first;
    long truncated = 0;
    for (int i = 0; i < pnLength; i++) {
      int b = (buf[pnOffset + i] ^ mask[1 + i]) & 0xff;
      aad[pnOffset - header.start() + i] = (byte) b;
      truncated = (truncated << 8) | b;
    }
    long packetNumber = decodePacketNumber(largestPacketNumber, truncated, pnLength * 8);
    int payloadOffset = pnOffset + pnLength;
    byte[] payload = keys.open(aad, buf, payloadOffset, header.end() - payloadOffset, packetNumber);
    return new InitialPacket(header, packetNumber, payload);
  }

  /**
   * The full packet number closest to one past {@code largest} whose low {@code bits} bits are
   * {@code truncated} (RFC 9000 A.3).
   */
  public static long decodePacketNumber(long largest, long truncated, int bits) {
    long expected = largest + 1;
    long window = 1L << bits;
    long halfWindow = window / 2;
    long candidate = (expected & ~(window - 1)) | truncated;
    if (candidate <= expected - halfWindow && candidate < (1L << 62) - window) {
      return candidate + window;
    }
    if (candidate > expected + halfWindow && candidate >= window) {
      return candidate - window;
    }
    return candidate;
  }

  private static byte[] connectionId(WireReader r) throws QuicMalformedException {
    int len = r.u8();
    if (len > MAX_CONNECTION_ID) {
      throw new QuicMalformedException(QuicMalformed.BAD_CONNECTION_ID);
    }
    return r.bytes(len);
  }
}
