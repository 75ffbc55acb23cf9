/**
 * DNS from packets: a bounded, exception-free wire parser ({@link
 * io.vigil.agent.packet.dns.DnsParser}), TCP length-prefix framing ({@link
 * io.vigil.agent.packet.dns.DnsTcpFramer}), query/response matching into {@code DnsEvent}s ({@link
 * io.vigil.agent.packet.dns.DnsTransactions}) and the address-to-hostname cache the sensor uses to
 * name connection and flow destinations ({@link io.vigil.agent.packet.dns.DnsAnswerCache}).
 *
 * <p>Everything here is attacker-controlled input: names are escaped and bounded, record counts are
 * bounded, and a message that cannot be parsed says why ({@link
 * io.vigil.agent.packet.dns.DnsMalformed}) instead of throwing. The parser runs only for packets
 * already chosen as DNS, so it allocates per DNS message, not per packet.
 */
package io.vigil.agent.packet.dns;
