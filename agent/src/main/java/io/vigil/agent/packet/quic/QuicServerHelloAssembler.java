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
  private final InitialCryptoStream stream =
      new InitialCryptoStream(
          MAX_DATAGRAMS, MAX_INITIAL_PACKETS, MAX_CRYPTO_BYTES, MAX_CRYPTO_PIECES, new Server());

  private byte[] serverHello;
  private boolean helloRetryRequest;

  /** Where the next handshake message starts in the CRYPTO stream (past a HelloRetryRequest). */
  private int messageStart;

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
    stream.offer(buf, off, len);
    return state();
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
    return stream.phase(State.COLLECTING, State.COMPLETE, State.GAVE_UP);
  }

  /** Why the assembler gave up; empty unless {@link #state()} is {@link State#GAVE_UP}. */
  public Optional<QuicGiveUp> giveUpReason() {
    return stream.giveUpReason();
  }

  /** The version of the first server Initial that decrypted; empty before one has. */
  public Optional<QuicVersion> version() {
    return stream.version();
  }

  /** True when a HelloRetryRequest came before the ServerHello. */
  public boolean sawHelloRetryRequest() {
    return helloRetryRequest;
  }

  public QuicAssemblerStats stats() {
    return stream.stats();
  }

  /**
   * Bytes this assembler holds for the connection: the reassembly buffers, then the finished hello.
   * What {@link QuicHandshakes} adds up against its memory budget.
   */
  int heldBytes() {
    return stream.allocatedBytes() + (serverHello == null ? 0 : serverHello.length);
  }

  /**
   * The server's rules: every long-header packet is read (Handshake ones skipped by their Length),
   * server keys from the client's ID, a ServerHello (after at most one HelloRetryRequest).
   */
  private final class Server implements InitialCryptoStream.Direction {
    @Override
    public void datagramStarts() {}

    @Override
    public boolean reads(LongHeader header) {
      return true;
    }

    @Override
    public InitialPacket open(byte[] buf, LongHeader header, long largestPacketNumber)
        throws QuicMalformedException {
      InitialKeys k =
          keys.computeIfAbsent(header.version(), v -> InitialKeys.server(v, clientDcid));
      return QuicInitialDecryptor.open(buf, header, k, largestPacketNumber);
    }

    /**
     * Reads the complete messages from {@link #messageStart}: at most a HelloRetryRequest, then
     * one.
     */
    @Override
    public void cryptoAdded(CryptoReassembly crypto) {
      while (stream.phase() == InitialCryptoStream.Phase.COLLECTING) {
        int have = crypto.contiguous() - messageStart;
        if (have <= 0) {
          return;
        }
        if (crypto.byteAt(messageStart) != SERVER_HELLO) {
          stream.giveUp(QuicGiveUp.NOT_SERVER_HELLO);
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
          stream.giveUp(QuicGiveUp.CRYPTO_TOO_LARGE);
          return;
        }
        if (have < total) {
          return;
        }
        if (!isHelloRetryRequest(crypto, messageStart, total)) {
          serverHello =
              Arrays.copyOfRange(
                  crypto.prefix(messageStart + total), messageStart, messageStart + total);
          stream.complete();
          return;
        }
        if (helloRetryRequest) {
          // a second one is a protocol error (RFC 8446 4.1.4)
          stream.giveUp(QuicGiveUp.NOT_SERVER_HELLO);
          return;
        }
        helloRetryRequest = true;
        messageStart += total;
      }
    }

    /** The body starts with legacy_version (2 bytes) then the 32-byte random. */
    private boolean isHelloRetryRequest(CryptoReassembly crypto, int start, int total) {
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
  }
}
