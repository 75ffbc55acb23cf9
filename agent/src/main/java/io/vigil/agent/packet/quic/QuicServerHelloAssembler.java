package io.vigil.agent.packet.quic;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Recovers the TLS ServerHello a QUIC server sends in its Initial packets, from the UDP payloads of
 * one connection's server-to-client direction: the counterpart of {@link QuicClientHelloAssembler},
 * which the caller asks for the {@link QuicClientHelloAssembler#keyDcid() connection ID} the keys
 * come from. The server protects its Initials with keys derived from the Destination Connection ID
 * the client chose (RFC 9001 5.2, label "server in"), whatever IDs its own packets carry, so the
 * assembler is built with that ID and derives the keys of each version it meets from it (a server
 * may answer in another compatible version, RFC 9368).
 *
 * <p>Each datagram is walked packet by packet: a server typically coalesces its Initial (ACK and
 * the ServerHello) with Handshake packets, which other keys protect and which are skipped by their
 * Length, and may end with a short-header packet, which ends the walk. The CRYPTO stream is put
 * together by offset like the client's; its first handshake message must be a ServerHello. A
 * HelloRetryRequest (a ServerHello with RFC 8446 4.1.3's fixed random) is not the server's choice:
 * it is passed over and the ServerHello after it in the same stream is the one kept.
 *
 * <p>Same discipline as the client side: {@link #offer} never throws for any bytes, unusable
 * packets are counted by {@link QuicMalformed} reason, and at most {@value #MAX_DATAGRAMS}
 * datagrams, {@value #MAX_INITIAL_PACKETS} Initial packets (one decryption attempt each) and
 * {@value #MAX_CRYPTO_BYTES} bytes of CRYPTO data are read before giving up with a {@link
 * QuicGiveUp} reason. Not thread-safe: one owner thread per connection.
 */
public final class QuicServerHelloAssembler {
  /** Datagrams read before giving up without a ServerHello. */
  public static final int MAX_DATAGRAMS = 32;

  /** Initial packets read before giving up without a ServerHello. */
  public static final int MAX_INITIAL_PACKETS = 32;

  /**
   * Bound of the CRYPTO stream kept. A ServerHello is a few hundred bytes (a post-quantum key share
   * adds about 1 KiB); the bound leaves room for a HelloRetryRequest before it.
   */
  public static final int MAX_CRYPTO_BYTES = 16 * 1024;

  /** Separate pieces of CRYPTO stream kept apart before giving up as too fragmented. */
  static final int MAX_CRYPTO_PIECES = 64;

  /** TLS HandshakeType server_hello (RFC 8446 4). */
  private static final int SERVER_HELLO = 2;

  /** The random of a HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446 4.1.3). */
  private static final byte[] HRR_RANDOM =
      HexFormat.of().parseHex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

  /** Where an assembler is. */
  public enum State {
    /** Still reading datagrams. */
    COLLECTING,
    /** {@link #serverHello()} holds the whole ServerHello; further datagrams are ignored. */
    COMPLETE,
    /** Stopped without one, for {@link #giveUpReason()}; further datagrams are ignored. */
    GAVE_UP
  }

  private final byte[] clientDcid;
  private final EnumMap<QuicVersion, InitialKeys> keys = new EnumMap<>(QuicVersion.class);
  private final CryptoReassembly crypto = new CryptoReassembly(MAX_CRYPTO_BYTES, MAX_CRYPTO_PIECES);
  private final EnumMap<QuicMalformed, Long> malformed = new EnumMap<>(QuicMalformed.class);
  private final InitialFrames.CryptoSink sink = this::cryptoData;

  private State state = State.COLLECTING;
  private QuicGiveUp giveUp;
  private byte[] serverHello;
  private QuicVersion version;
  private boolean helloRetryRequest;

  /** Where the next handshake message starts in the CRYPTO stream (past a HelloRetryRequest). */
  private int messageStart;

  private long largestPacketNumber = -1;
  private long datagrams;
  private long initialPackets;
  private long decryptedPackets;
  private long cryptoFrames;
  private long skippedPackets;
  private long ignoredDatagrams;

  /**
   * For a connection whose client's Initial keys come from {@code clientDcid} (copied).
   *
   * @throws IllegalArgumentException when {@code clientDcid} is longer than {@value
   *     QuicInitialDecryptor#MAX_CONNECTION_ID} bytes, which no Initial can carry
   */
  public QuicServerHelloAssembler(byte[] clientDcid) {
    if (clientDcid.length > QuicInitialDecryptor.MAX_CONNECTION_ID) {
      throw new IllegalArgumentException("connection ID over 20 bytes: " + clientDcid.length);
    }
    this.clientDcid = clientDcid.clone();
  }

  /**
   * Reads one UDP payload the server sent, {@code buf[off, off+len)}; the bytes are not kept or
   * changed after the call. Bounds that do not fit {@code buf} count as {@link
   * QuicMalformed#TRUNCATED}. Never throws.
   *
   * @return the state after this datagram
   */
  public State offer(byte[] buf, int off, int len) {
    if (state != State.COLLECTING) {
      ignoredDatagrams++;
      return state;
    }
    if (++datagrams > MAX_DATAGRAMS) {
      giveUp(QuicGiveUp.TOO_MANY_DATAGRAMS);
      return state;
    }
    if (buf == null || off < 0 || len < 0 || len > buf.length - off) {
      count(QuicMalformed.TRUNCATED);
      return state;
    }
    int p = off;
    int end = off + len;
    while (p < end && state == State.COLLECTING) {
      if ((buf[p] & 0x80) == 0) {
        skippedPackets++; // a short header (1-RTT) runs to the end of the datagram
        break;
      }
      LongHeader header;
      try {
        header = QuicInitialDecryptor.parseLongHeader(buf, p, end);
      } catch (QuicMalformedException e) {
        count(e.reason()); // Retry, Version Negotiation or damage: no Length to go on with
        break;
      }
      p = header.end();
      if (!header.initial()) {
        skippedPackets++; // Handshake (or 0-RTT) packet: Handshake keys are not public
      } else if (++initialPackets > MAX_INITIAL_PACKETS) {
        giveUp(QuicGiveUp.TOO_MANY_PACKETS);
      } else {
        initialPacket(buf, header);
      }
    }
    return state;
  }

  /**
   * The complete ServerHello handshake message, its 4-byte header (type 2, 24-bit length) included
   * and nothing after it; never a HelloRetryRequest. Empty unless {@link #state()} is {@link
   * State#COMPLETE}. A fresh copy each call.
   */
  public Optional<byte[]> serverHello() {
    return serverHello == null ? Optional.empty() : Optional.of(serverHello.clone());
  }

  public State state() {
    return state;
  }

  /** Why the assembler gave up; empty unless {@link #state()} is {@link State#GAVE_UP}. */
  public Optional<QuicGiveUp> giveUpReason() {
    return Optional.ofNullable(giveUp);
  }

  /** The version of the first server Initial that decrypted; empty before one has. */
  public Optional<QuicVersion> version() {
    return Optional.ofNullable(version);
  }

  /** True when a HelloRetryRequest came before the ServerHello. */
  public boolean sawHelloRetryRequest() {
    return helloRetryRequest;
  }

  public QuicAssemblerStats stats() {
    return new QuicAssemblerStats(
        datagrams,
        initialPackets,
        decryptedPackets,
        cryptoFrames,
        skippedPackets,
        ignoredDatagrams,
        malformed);
  }

  private void initialPacket(byte[] buf, LongHeader header) {
    InitialPacket packet;
    try {
      InitialKeys k =
          keys.computeIfAbsent(header.version(), v -> InitialKeys.server(v, clientDcid));
      packet = QuicInitialDecryptor.open(buf, header, k, largestPacketNumber);
    } catch (QuicMalformedException e) {
      count(e.reason());
      return;
    }
    decryptedPackets++;
    largestPacketNumber = Math.max(largestPacketNumber, packet.packetNumber());
    if (version == null) {
      version = header.version();
    }
    byte[] payload = packet.payload();
    try {
      cryptoFrames += InitialFrames.parse(payload, 0, payload.length, sink);
    } catch (QuicMalformedException e) {
      count(e.reason());
    }
  }

  private void cryptoData(long offset, byte[] buf, int off, int len) {
    if (state != State.COLLECTING) {
      return;
    }
    switch (crypto.add(offset, buf, off, len)) {
      case OK -> checkComplete();
      case TOO_LARGE -> giveUp(QuicGiveUp.CRYPTO_TOO_LARGE);
      case TOO_FRAGMENTED, TOO_FAR_AHEAD -> giveUp(QuicGiveUp.TOO_FRAGMENTED);
    }
  }

  /**
   * Reads the complete messages from {@link #messageStart}: at most a HelloRetryRequest, then one.
   */
  private void checkComplete() {
    while (state == State.COLLECTING) {
      int have = crypto.contiguous() - messageStart;
      if (have <= 0) {
        return;
      }
      if (crypto.byteAt(messageStart) != SERVER_HELLO) {
        giveUp(QuicGiveUp.NOT_SERVER_HELLO);
        return;
      }
      if (have < 4) {
        return;
      }
      int length =
          (crypto.byteAt(messageStart + 1) << 16)
              | (crypto.byteAt(messageStart + 2) << 8)
              | crypto.byteAt(messageStart + 3);
      int total = 4 + length;
      if (total > MAX_CRYPTO_BYTES - messageStart) {
        giveUp(QuicGiveUp.CRYPTO_TOO_LARGE);
        return;
      }
      if (have < total) {
        return;
      }
      if (!isHelloRetryRequest(messageStart, total)) {
        serverHello =
            Arrays.copyOfRange(
                crypto.prefix(messageStart + total), messageStart, messageStart + total);
        state = State.COMPLETE;
        crypto.release();
        return;
      }
      if (helloRetryRequest) {
        giveUp(QuicGiveUp.NOT_SERVER_HELLO); // a second one is a protocol error (RFC 8446 4.1.4)
        return;
      }
      helloRetryRequest = true;
      messageStart += total;
    }
  }

  /** The body starts with legacy_version (2 bytes) then the 32-byte random. */
  private boolean isHelloRetryRequest(int start, int total) {
    if (total < 4 + 2 + HRR_RANDOM.length) {
      return false;
    }
    for (int i = 0; i < HRR_RANDOM.length; i++) {
      if (crypto.byteAt(start + 6 + i) != (HRR_RANDOM[i] & 0xff)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Bytes this assembler holds for the connection: the reassembly buffers, then the finished hello.
   * What {@link QuicHandshakes} adds up against its memory budget.
   */
  int heldBytes() {
    return crypto.allocatedBytes() + (serverHello == null ? 0 : serverHello.length);
  }

  private void giveUp(QuicGiveUp reason) {
    giveUp = reason;
    state = State.GAVE_UP;
    crypto.release();
  }

  private void count(QuicMalformed reason) {
    malformed.merge(reason, 1L, Long::sum);
  }
}
