package io.vigil.agent.packet.dns;

/**
 * One question of a DNS message.
 *
 * @param name the name as text in the wire's case, escaped (see {@link DnsParser}), without the
 *     trailing dot; the root is {@code "."}
 * @param type the QTYPE number (1 A, 28 AAAA, ...)
 * @param qclass the QCLASS number as on the wire (1 IN; mDNS sets the top bit for unicast replies)
 */
public record DnsQuestion(String name, int type, int qclass) {
  /** The type as text ("A", "TYPE65280"). */
  public String typeName() {
    return DnsNames.type(type);
  }
}
