/**
 * TCP stream reassembly: {@link io.vigil.agent.packet.stream.TcpStreams} keys decoded TCP packets
 * into connections (as the flow table keys flows, the SYN sender being the client) and gives each a
 * {@link io.vigil.agent.packet.stream.TcpReassembler}, which turns segments into in-order bytes per
 * direction for the connection's {@link io.vigil.agent.packet.stream.StreamAnalyzer} (made by the
 * caller's {@link io.vigil.agent.packet.stream.StreamAnalyzerFactory}).
 *
 * <p>Everything is bounded: bytes held out of order per direction and across every connection
 * sharing a {@link io.vigil.agent.packet.stream.ReassemblyBudget}, bytes delivered per direction
 * (the depth), connections held. A bound that is hit skips a hole, reported as a gap, and never
 * stops the stream. Time is packet time. Owned by one capture thread; nothing here is thread-safe
 * except the budget.
 */
package io.vigil.agent.packet.stream;
