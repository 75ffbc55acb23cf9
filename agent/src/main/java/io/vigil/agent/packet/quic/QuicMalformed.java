package io.vigil.agent.packet.quic;

import java.util.Locale;

/**
 * Why one QUIC packet (or the rest of a datagram) could not be used: a bounded set, so that bad
 * input is counted by reason without attacker-controlled labels. The name in lower case is the
 * metric label. The first problem met while reading in order is the one reported.
 */
public enum QuicMalformed {
  /**
   * A short-header (1-RTT) packet where a long header was asked for: the answer of the static
   * helpers only; {@link QuicClientHelloAssembler} counts such datagrams as skipped, not malformed.
   */
  NOT_LONG_HEADER,
  /** The bytes end inside a long header, or its Length runs past the end of the datagram. */
  TRUNCATED,
  /** A connection ID length over 20 bytes (RFC 9000 17.2). */
  BAD_CONNECTION_ID,
  /** A packet too short to hold a packet number and the 16-byte header protection sample. */
  TOO_SHORT,
  /** A long header with a version other than {@link QuicVersion}'s: the rest is unreadable. */
  UNKNOWN_VERSION,
  /**
   * A long-header packet without a Length, which the assemblers do not read: Retry and Version
   * Negotiation (which only servers send).
   */
  UNEXPECTED_PACKET,
  /** The AEAD tag did not verify with any candidate key: not ours, damaged or forged. */
  UNDECRYPTABLE,
  /** A frame runs past the end of the decrypted payload. */
  BAD_FRAME,
  /**
   * A frame type an Initial packet may not carry (RFC 9000 12.4): the rest of that packet is not
   * read; the CRYPTO data before it is kept.
   */
  UNEXPECTED_FRAME,
  /**
   * A packet coalesced after the first in a datagram but with another Destination Connection ID,
   * which RFC 9000 12.2 forbids: not read, so that one datagram cannot make an assembler derive
   * keys for many IDs. Also a packet whose keys would be past the per-datagram derivation bound.
   */
  DCID_MISMATCH;

  /** The metric label. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
