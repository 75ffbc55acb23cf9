package io.vigil.agent.packet.decode;

/**
 * Why a packet could not be decoded fully: a bounded set, so that drops are counted by reason
 * without attacker-controlled labels. The name in lower case is the metric label.
 */
public enum Malformed {
  /** The captured bytes end inside a header (a short frame, or a snap length cut it there). */
  TRUNCATED,
  /** A header field is impossible: IPv4 IHL below 5, a length below the header, ... */
  BAD_HEADER,
  /** The IP version nibble is neither 4 nor 6 where an IP packet must start. */
  BAD_IP_VERSION,
  /** A link type this decoder does not handle. */
  UNSUPPORTED_LINK_TYPE,
  /** IPv6 extension headers longer than the bound, or looping. */
  EXTENSION_HEADERS,
  /** Fragments overlapping with different content, or a datagram over 65,535 bytes. */
  BAD_FRAGMENT,
  /** The fragment table was full: a fragment was dropped (counted, not decoded). */
  FRAGMENT_TABLE_FULL,
  /** Tunnels nested deeper than the bound. */
  TUNNEL_DEPTH,
  /** A TCP data offset below 5 or past the segment. */
  BAD_TCP_HEADER;

  /** The metric label. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
