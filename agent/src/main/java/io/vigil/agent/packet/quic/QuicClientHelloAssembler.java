package io.vigil.agent.packet.quic;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumMap;
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
  private final CryptoReassembly crypto = new CryptoReassembly(MAX_CRYPTO_BYTES, MAX_CRYPTO_PIECES);
  private final EnumMap<QuicMalformed, Long> malformed = new EnumMap<>(QuicMalformed.class);
  private final InitialFrames.CryptoSink sink = this::cryptoData;

  private State state = State.COLLECTING;
  private QuicGiveUp giveUp;
  private byte[] clientHello;
  private QuicVersion version;
  private byte[] keyDcid;
  private long largestPacketNumber = -1;
  private long datagrams;
  private long initialPackets;
  private long decryptedPackets;
  private long cryptoFrames;
  private long skippedPackets;
  private long ignoredDatagrams;

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
    byte[] datagramDcid = null;
    derivations = 0;
    while (p < end && state == State.COLLECTING) {
      if ((buf[p] & 0x80) == 0) {
        // A short header has no length: it runs to the end of the datagram, as does padding.
        skippedPackets++;
        break;
      }
      LongHeader header;
      try {
        header = QuicInitialDecryptor.parseLongHeader(buf, p, end);
      } catch (QuicMalformedException e) {
        count(e.reason()); // without a Length the next packet cannot be found
        break;
      }
      p = header.end();
      if (datagramDcid == null) {
        datagramDcid = header.dcid();
      } else if (!Arrays.equals(datagramDcid, header.dcid())) {
        count(QuicMalformed.DCID_MISMATCH);
        continue;
      }
      if (!header.initial()) {
        skippedPackets++;
      } else if (++initialPackets > MAX_INITIAL_PACKETS) {
        giveUp(QuicGiveUp.TOO_MANY_PACKETS);
      } else {
        initialPacket(buf, header);
      }
    }
    return state;
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
    return state;
  }

  /** Why the assembler gave up; empty unless {@link #state()} is {@link State#GAVE_UP}. */
  public Optional<QuicGiveUp> giveUpReason() {
    return Optional.ofNullable(giveUp);
  }

  /** The version of the first Initial packet that decrypted; empty before one has. */
  public Optional<QuicVersion> version() {
    return Optional.ofNullable(version);
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
      packet = open(buf, header);
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

  /** Opens with the keys that opened the last packet, then with keys from the packet's own DCID. */
  private InitialPacket open(byte[] buf, LongHeader header) throws QuicMalformedException {
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

  private void cryptoData(long offset, byte[] buf, int off, int len) {
    if (state != State.COLLECTING) {
      return; // completed or gave up earlier in this packet
    }
    switch (crypto.add(offset, buf, off, len)) {
      case OK -> checkComplete();
      case TOO_LARGE -> giveUp(QuicGiveUp.CRYPTO_TOO_LARGE);
      case TOO_FRAGMENTED, TOO_FAR_AHEAD -> giveUp(QuicGiveUp.TOO_FRAGMENTED);
    }
  }

  private void checkComplete() {
    int have = crypto.contiguous();
    if (have == 0) {
      return;
    }
    if (crypto.byteAt(0) != CLIENT_HELLO) {
      giveUp(QuicGiveUp.NOT_CLIENT_HELLO);
      return;
    }
    if (have < 4) {
      return;
    }
    int total = 4 + ((crypto.byteAt(1) << 16) | (crypto.byteAt(2) << 8) | crypto.byteAt(3));
    if (total > MAX_CRYPTO_BYTES) {
      giveUp(QuicGiveUp.CRYPTO_TOO_LARGE);
    } else if (have >= total) {
      clientHello = crypto.prefix(total);
      state = State.COMPLETE;
      crypto.release();
    }
  }

  /**
   * Bytes this assembler holds for the connection: the reassembly buffers, then the finished hello.
   * What {@link QuicHandshakes} adds up against its memory budget.
   */
  int heldBytes() {
    return crypto.allocatedBytes() + (clientHello == null ? 0 : clientHello.length);
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
