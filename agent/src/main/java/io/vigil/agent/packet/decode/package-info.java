/**
 * Decoders from link layer to transport: Ethernet, 802.1Q/QinQ, Linux cooked (SLL, SLL2), raw IP,
 * loopback/null; IPv4 with bounded fragment reassembly, IPv6 with extension headers; TCP, UDP,
 * ICMP; GRE, VXLAN and ERSPAN decoded through. They fill a {@link
 * io.vigil.agent.packet.decode.DecodedPacket} and never throw on hostile input: a packet they
 * cannot decode says why ({@link io.vigil.agent.packet.decode.Malformed}).
 */
package io.vigil.agent.packet.decode;
