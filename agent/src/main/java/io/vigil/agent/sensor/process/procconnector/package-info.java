/**
 * Kernel-independent parsing of the Linux netlink proc connector: {@link
 * io.vigil.agent.sensor.process.procconnector.ProcEventParser} turns one received datagram into
 * typed {@link io.vigil.agent.sensor.process.procconnector.ProcEvent}s (fork, exec, exit, uid/gid,
 * comm) and counts what it skipped or could not read. Pure Java, no native code: the socket lives
 * in {@code io.vigil.agent.platform.linux.ProcConnectorSocket}. Every length field is checked
 * against the datagram, because a malformed datagram must cost a counter, never the reader thread.
 */
package io.vigil.agent.sensor.process.procconnector;
