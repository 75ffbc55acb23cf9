package io.vigil.agent.packet.quic;

import java.util.Map;

/**
 * Counters of one {@link QuicClientHelloAssembler}, a snapshot.
 *
 * @param datagrams datagrams offered while collecting (the one that completed or gave up counted)
 * @param initialPackets Initial packets whose header was read
 * @param decryptedPackets Initial packets that decrypted and authenticated
 * @param cryptoFrames CRYPTO frames read from decrypted packets
 * @param skippedPackets packets not read: 0-RTT and Handshake long-header packets, and the
 *     short-header (or zero padding) rest of a datagram
 * @param ignoredDatagrams datagrams offered after the ClientHello was complete or given up on
 * @param malformed packets that could not be used, by reason (only reasons seen)
 */
public record QuicAssemblerStats(
    long datagrams,
    long initialPackets,
    long decryptedPackets,
    long cryptoFrames,
    long skippedPackets,
    long ignoredDatagrams,
    Map<QuicMalformed, Long> malformed) {
  public QuicAssemblerStats {
    malformed = Map.copyOf(malformed);
  }
}
