package io.vigil.agent.packet.quic;

import java.util.EnumMap;
import java.util.Optional;

/**
 * What reading one direction's Initial CRYPTO stream from its datagrams takes whichever side sent
 * them: the walk over a datagram's coalesced packets by their Length fields, the bounds on
 * datagrams and Initial packets, decryption, CRYPTO frames put together by offset, the counters and
 * the phase. {@link QuicClientHelloAssembler} and {@link QuicServerHelloAssembler} each own one and
 * supply, as a {@link Direction}, what differs: which keys open a packet, which packets of a
 * datagram are read at all, and when the stream holds the handshake message they want.
 *
 * <p>Every input is attacker-controlled: {@link #offer} never throws, counts unusable packets by
 * {@link QuicMalformed} reason and gives up with a {@link QuicGiveUp} reason at its bounds. Not
 * thread-safe: its owner's thread only.
 */
final class InitialCryptoStream {
  /** Where a stream is; its owner reports it as its own public state. */
  enum Phase {
    COLLECTING,
    COMPLETE,
    GAVE_UP
  }

  /** The side-specific part, called back from {@link #offer}. */
  interface Direction {
    /** A datagram starts, before any of its packets is read. */
    void datagramStarts();

    /**
     * Whether a long-header packet of the current datagram is read at all; one that is not is
     * counted (if at all) by the direction, and the walk goes on past it.
     */
    boolean reads(LongHeader header);

    /**
     * Decrypts one Initial packet.
     *
     * @param largestPacketNumber the largest packet number decrypted so far, -1 before any
     * @throws QuicMalformedException when no keys the direction will try open it
     */
    InitialPacket open(byte[] buf, LongHeader header, long largestPacketNumber)
        throws QuicMalformedException;

    /**
     * CRYPTO bytes were added: the direction checks whether {@code crypto} now holds its message
     * and then calls {@link #complete()} or {@link #giveUp}. Called only while collecting.
     */
    void cryptoAdded(CryptoReassembly crypto);
  }

  private final int maxDatagrams;
  private final int maxInitialPackets;
  private final Direction direction;
  private final CryptoReassembly crypto;
  private final EnumMap<QuicMalformed, Long> malformed = new EnumMap<>(QuicMalformed.class);

  /** Held in a field: a method reference capturing this is a new object at every use. */
  private final InitialFrames.CryptoSink sink = this::cryptoData;

  private Phase phase = Phase.COLLECTING;
  private QuicGiveUp giveUp;
  private QuicVersion version;
  private long largestPacketNumber = -1;
  private long datagrams;
  private long initialPackets;
  private long decryptedPackets;
  private long cryptoFrames;
  private long skippedPackets;
  private long ignoredDatagrams;

  InitialCryptoStream(
      int maxDatagrams,
      int maxInitialPackets,
      int maxCryptoBytes,
      int maxCryptoPieces,
      Direction direction) {
    this.maxDatagrams = maxDatagrams;
    this.maxInitialPackets = maxInitialPackets;
    this.direction = direction;
    this.crypto = new CryptoReassembly(maxCryptoBytes, maxCryptoPieces);
  }

  /**
   * Reads one UDP payload, {@code buf[off, off+len)}; the bytes are not kept or changed after the
   * call. Bounds that do not fit {@code buf} count as {@link QuicMalformed#TRUNCATED}. Never
   * throws.
   *
   * @return the phase after this datagram
   */
  Phase offer(byte[] buf, int off, int len) {
    if (phase != Phase.COLLECTING) {
      ignoredDatagrams++;
      return phase;
    }
    if (++datagrams > maxDatagrams) {
      giveUp(QuicGiveUp.TOO_MANY_DATAGRAMS);
      return phase;
    }
    if (buf == null || off < 0 || len < 0 || len > buf.length - off) {
      count(QuicMalformed.TRUNCATED);
      return phase;
    }
    int p = off;
    int end = off + len;
    direction.datagramStarts();
    while (p < end && phase == Phase.COLLECTING) {
      if ((buf[p] & 0x80) == 0) {
        // A short header (1-RTT) has no length: it runs to the end of the datagram, as does
        // padding.
        skippedPackets++;
        break;
      }
      LongHeader header;
      try {
        header = QuicInitialDecryptor.parseLongHeader(buf, p, end);
      } catch (QuicMalformedException e) {
        // Retry, Version Negotiation or damage: without a Length the next packet cannot be found.
        count(e.reason());
        break;
      }
      p = header.end();
      if (!direction.reads(header)) {
        continue;
      }
      if (!header.initial()) {
        skippedPackets++; // Handshake or 0-RTT packet: their keys are not public
      } else if (++initialPackets > maxInitialPackets) {
        giveUp(QuicGiveUp.TOO_MANY_PACKETS);
      } else {
        initialPacket(buf, header);
      }
    }
    return phase;
  }

  Phase phase() {
    return phase;
  }

  /**
   * The phase as one of its owner's public state constants, given in the order of {@link Phase}.
   */
  <S> S phase(S collecting, S complete, S gaveUp) {
    return switch (phase) {
      case COLLECTING -> collecting;
      case COMPLETE -> complete;
      case GAVE_UP -> gaveUp;
    };
  }

  /** Why the stream gave up; empty unless {@link #phase()} is {@link Phase#GAVE_UP}. */
  Optional<QuicGiveUp> giveUpReason() {
    return Optional.ofNullable(giveUp);
  }

  /** The version of the first Initial packet that decrypted; empty before one has. */
  Optional<QuicVersion> version() {
    return Optional.ofNullable(version);
  }

  QuicAssemblerStats stats() {
    return new QuicAssemblerStats(
        datagrams,
        initialPackets,
        decryptedPackets,
        cryptoFrames,
        skippedPackets,
        ignoredDatagrams,
        malformed);
  }

  /** Bytes the reassembly holds (none once complete or given up). */
  int allocatedBytes() {
    return crypto.allocatedBytes();
  }

  /** The direction has its message: later datagrams are ignored and the reassembly is freed. */
  void complete() {
    phase = Phase.COMPLETE;
    crypto.release();
  }

  /** Stops without the message, for {@code reason}; later datagrams are ignored. */
  void giveUp(QuicGiveUp reason) {
    giveUp = reason;
    phase = Phase.GAVE_UP;
    crypto.release();
  }

  /** Counts a packet that could not be used. */
  void count(QuicMalformed reason) {
    malformed.merge(reason, 1L, Long::sum);
  }

  private void initialPacket(byte[] buf, LongHeader header) {
    InitialPacket packet;
    try {
      packet = direction.open(buf, header, largestPacketNumber);
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
    if (phase != Phase.COLLECTING) {
      return; // completed or gave up earlier in this packet
    }
    switch (crypto.add(offset, buf, off, len)) {
      case OK -> direction.cryptoAdded(crypto);
      case TOO_LARGE -> giveUp(QuicGiveUp.CRYPTO_TOO_LARGE);
      case TOO_FRAGMENTED, TOO_FAR_AHEAD -> giveUp(QuicGiveUp.TOO_FRAGMENTED);
    }
  }
}
