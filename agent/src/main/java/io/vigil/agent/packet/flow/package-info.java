/**
 * The flow table: decoded packets ({@link io.vigil.agent.packet.decode.DecodedPacket}) folded into
 * bidirectional flows keyed by the normalised 5-tuple and VLAN id, with per-direction packet, byte
 * and TCP flag counters, a TCP state machine that names the outcome in Zeek's {@code conn_state}
 * codes, idle/active timeouts driven by packet time, bounded size with eviction, and the Community
 * ID v1 flow hash. Ended flows leave as immutable {@link io.vigil.agent.packet.flow.FlowRecord}s
 * through a {@link io.vigil.agent.packet.flow.FlowSink}; {@link
 * io.vigil.agent.packet.flow.FlowRecords} turns them into the wire {@code Flow} message.
 *
 * <p>Owned by one capture thread: nothing here is thread-safe, and nothing allocates per packet on
 * the path of a packet that belongs to an existing flow.
 */
package io.vigil.agent.packet.flow;
