/**
 * The connection sensor: outbound connects, inbound accepts and listening sockets, TCP and UDP,
 * IPv4 and IPv6, each with the process that owns it.
 *
 * <p>Two sources. In real time, audit {@code connect}/{@code accept} records, with the inet {@code
 * socket()} records telling TCP from UDP ({@link io.vigil.agent.sensor.network.AuditConnections},
 * {@link io.vigil.agent.sensor.network.SocketTypes}), fed by the process sensor's audit feed
 * through {@link io.vigil.agent.sensor.process.audit.AuditListener}). Periodically, a sock_diag
 * snapshot of every inet socket ({@link io.vigil.agent.sensor.network.InetDiagParser}) whose inodes
 * are mapped to processes through {@code /proc/PID/fd} ({@link
 * io.vigil.agent.sensor.network.SocketOwners}), reporting each listening socket and each connection
 * not reported before. What this misses: a connection that opens and closes between two snapshots
 * while audit is off; UDP datagrams sent with {@code sendto} on an unconnected socket (no connect,
 * no peer in the socket table); the local address of an audited connect (audit records only the
 * destination); the process of a socket whose owner's {@code /proc/PID/fd} is unreadable (not
 * root).
 */
package io.vigil.agent.sensor.network;
