package io.vigil.agent.packet.dns;

/**
 * One resource record of an answer section, its data rendered as text.
 *
 * @param name the owner name (escaped, no trailing dot, root {@code "."})
 * @param type the TYPE number
 * @param rclass the CLASS number as on the wire (mDNS sets the top bit for cache flush)
 * @param ttl the TTL in seconds, unsigned
 * @param data the data as text, bounded to {@link DnsParser#MAX_DATA_CHARS} characters (see {@link
 *     DnsParser} for the rendering of each type)
 */
public record DnsResourceRecord(String name, int type, int rclass, long ttl, String data) {
  /** The type as text ("A", "TYPE65280"). */
  public String typeName() {
    return DnsNames.type(type);
  }
}
