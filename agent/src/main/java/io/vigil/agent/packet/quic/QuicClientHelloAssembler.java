package io.vigil.agent.packet.quic;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Recovers the TLS ClientHello a QUIC client sends in its Initial packets, from the UDP payloads of
 * one connection's client-to-server direction. The caller keeps one assembler per connection
 * (client address and port, server address and port) and {@link #offer offers} it every datagram
 * the client sends, until {@link #state()} leaves {@link State#COLLECTING}.
 *
 * <p>Each datagram is walked packet by packet (coalesced packets, by their Length fields); Initial
 * packets are decrypted with the client Initial keys and their CRYPTO frames put together by
 * offset, so a ClientHello split over several packets or datagrams, out of order, overlapping or
 * resent (Chrome spreads large post-quantum ClientHellos over two or more) comes out whole. The
 * keys are derived from the Destination Connection ID of the first Initial that decrypts, and kept:
 * the client's later Initials carry the server's chosen ID but the same keys. A packet those keys
 * do not open is tried with keys from its own ID (after a Retry the client derives them anew).
 * Derived keys are cached, at most {@value #MAX_CACHED_KEYS} IDs.
 *
 * <p>Within one datagram only packets with the first packet's Destination Connection ID are read
 * (RFC 9000 12.2 requires coalesced packets to share it; others count as {@link
 * QuicMalformed#DCID_MISMATCH}), and at most {@value #MAX_DERIVATIONS_PER_DATAGRAM} keys are
 * derived per datagram: a forged datagram of many tiny Initials with different IDs would otherwise
 * cost a key derivation and two AES-GCM attempts each.
 *
 * <p>Everything here is attacker-controlled. {@link #offer} never throws for any bytes; a packet
 * that cannot be used is counted by {@link QuicMalformed} reason and the rest of the datagram is
 * still tried where its boundaries are known. Work and memory are bounded: at most {@value
 * #MAX_DATAGRAMS} datagrams, {@value #MAX_INITIAL_PACKETS} Initial packets (each costs at most two
 * decryption attempts) and {@value #MAX_CRYPTO_BYTES} bytes of CRYPTO data; past them the assembler
 * gives up with a {@link QuicGiveUp} reason. Not thread-safe: one owner thread per connection.
 */
public final class QuicClientHelloAssembler {
  /** Datagrams read before giving up without a ClientHello. */
  public static final int MAX_DATAGRAMS = 32;

  /** Initial packets read before giving up without a ClientHello. */
  public static final int MAX_INITIAL_PACKETS = 32;

  /** Bound of the CRYPTO stream kept, and so of a ClientHello (its 4-byte header included). */
  public static final int MAX_CRYPTO_BYTES = 64 * 1024;

  /** Separate pieces of CRYPTO stream kept apart before giving up as too fragmented. */
  static final int MAX_CRYPTO_PIECES = 256;

  /** Connection IDs whose derived keys are kept. */
  static final int MAX_CACHED_KEYS = 4;

  /** Keys derived at most per datagram: the kept keys' ID and the packet's own. */
  static final int MAX_DERIVATIONS_PER_DATAGRAM = 2;

  /** TLS HandshakeType client_hello (RFC 8446 4). */
  private static final int CLIENT_HELLO = 1;

  /** Where an assembler is. */
  public enum State {
    /** Still reading datagrams. */
    COLLECTING,
    /** {@link #clientHello()} holds the whole ClientHello; further datagrams are ignored. */
    COMPLETE,
    /** Stopped without one, for {@link #giveUpReason()}; further datagrams are ignored. */
    GAVE_UP
  }

  private record KeyId(QuicVersion version, ByteBuffer dcid) {}

  private final Map<KeyId, InitialKeys> keys =
      new LinkedHashMap<>(8, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<KeyId, InitialKeys> eldest) {
          return size() > MAX_CACHED_KEYS;
        }
      };
  private final InitialCryptoStream stream =
      new InitialCryptoStream(
          MAX_DATAGRAMS, MAX_INITIAL_PACKETS, MAX_CRYPTO_BYTES, MAX_CRYPTO_PIECES, new Client());

  private byte[] clientHello;
  private byte[] keyDcid;

  /** The first packet's Destination Connection ID in the current datagram; null before it. */
  private byte[] datagramDcid;

  /** Keys derived while reading the current datagram. */
  private int derivations;

  /**
   * Reads one UDP payload the client sent, {@code buf[off, off+len)}; the bytes are not kept or
   * changed after the call. Bounds that do not fit {@code buf} count as {@link
   * QuicMalformed#TRUNCATED}. Never throws.
   *
   * @return the state after this datagram: {@link State#COMPLETE} from the datagram that completed
   *     the ClientHello on
   */
  public State offer(byte[] buf, int off, int len) {
    stream.offer(buf, off, len);
    return state();
  }

  /**
   * The complete ClientHello handshake message, its 4-byte header (type 1, 24-bit length) included
   * and nothing after it: exactly {@code 4 + length} bytes, as a TLS parser expects one handshake
   * message. Empty unless {@link #state()} is {@link State#COMPLETE}. A fresh copy each call.
   */
  public Optional<byte[]> clientHello() {
    return clientHello == null ? Optional.empty() : Optional.of(clientHello.clone());
  }

  public State state() {
    return stream.phase(State.COLLECTING, State.COMPLETE, State.GAVE_UP);
  }

  /** Why the assembler gave up; empty unless {@link #state()} is {@link State#GAVE_UP}. */
  public Optional<QuicGiveUp> giveUpReason() {
    return stream.giveUpReason();
  }

  /** The version of the first Initial packet that decrypted; empty before one has. */
  public Optional<QuicVersion> version() {
    return stream.version();
  }

  /**
   * The Destination Connection ID the client's Initial keys were derived from: its first Initial's
   * DCID, or after a Retry the one it chose anew. The server's Initial keys come from this same ID
   * (RFC 9001 5.2), so it is what a {@link QuicServerHelloAssembler} needs. Empty before an Initial
   * has decrypted; a copy.
   */
  public Optional<byte[]> keyDcid() {
    return keyDcid == null ? Optional.empty() : Optional.of(keyDcid.clone());
  }

  public QuicAssemblerStats stats() {
    return stream.stats();
  }

  /**
   * Bytes this assembler holds for the connection: the reassembly buffers, then the finished hello.
   * What {@link QuicHandshakes} adds up against its memory budget.
   */
  int heldBytes() {
    return stream.allocatedBytes() + (clientHello == null ? 0 : clientHello.length);
  }

  /** The client's rules: one DCID per datagram, client keys, a ClientHello first. */
  private final class Client implements InitialCryptoStream.Direction {
    @Override
    public void datagramStarts() {
      datagramDcid = null;
      derivations = 0;
    }

    @Override
    public boolean reads(LongHeader header) {
      if (datagramDcid == null) {
        datagramDcid = header.dcid();
        return true;
      }
      if (Arrays.equals(datagramDcid, header.dcid())) {
        return true;
      }
      stream.count(QuicMalformed.DCID_MISMATCH);
      return false;
    }

    /**
     * Opens with the keys that opened the last packet, then with keys from the packet's own DCID.
     */
    @Override
    public InitialPacket open(byte[] buf, LongHeader header, long largestPacketNumber)
        throws QuicMalformedException {
      byte[] dcid = header.dcid();
      if (keyDcid != null) {
        try {
          return QuicInitialDecryptor.open(
              buf, header, keys(header.version(), keyDcid), largestPacketNumber);
        } catch (QuicMalformedException e) {
          if (Arrays.equals(keyDcid, dcid)) {
            throw e;
          }
        }
      }
      InitialPacket packet =
          QuicInitialDecryptor.open(buf, header, keys(header.version(), dcid), largestPacketNumber);
      keyDcid = dcid;
      return packet;
    }

    private InitialKeys keys(QuicVersion v, byte[] dcid) throws QuicMalformedException {
      KeyId id = new KeyId(v, ByteBuffer.wrap(dcid));
      InitialKeys k = keys.get(id);
      if (k == null) {
        if (derivations >= MAX_DERIVATIONS_PER_DATAGRAM) {
          throw new QuicMalformedException(QuicMalformed.DCID_MISMATCH);
        }
        derivations++;
        k = InitialKeys.client(v, dcid);
        keys.put(id, k);
      }
      return k;
    }

    @Override
    public void cryptoAdded(CryptoReassembly crypto) {
      int have = crypto.contiguous();
      if (have == 0) {
        return;
      }
      if (crypto.byteAt(0) != CLIENT_HELLO) {
        stream.giveUp(QuicGiveUp.NOT_CLIENT_HELLO);
        return;
      }
      if (have < 4) {
        return;
      }
      int total = 4 + ((crypto.byteAt(1) << 16) | (crypto.byteAt(2) << 8) | crypto.byteAt(3));
      if (total > MAX_CRYPTO_BYTES) {
        stream.giveUp(QuicGiveUp.CRYPTO_TOO_LARGE);
      } else if (have >= total) {
        clientHello = crypto.prefix(total);
        stream.complete();
      }
    }
  }
}
