package io.vigil.agent.sensor.process.procconnector;

import java.util.List;

/**
 * What one datagram held.
 *
 * @param events the events read, in datagram order
 * @param acks acknowledgements of a listen/ignore request ({@code what == 0}) or netlink errors
 * @param ackErrno the first non-zero errno carried by an acknowledgement, 0 when none failed; a
 *     non-zero value after a listen request means the kernel refused it (EPERM without {@code
 *     CAP_NET_ADMIN})
 * @param ignored well-formed messages of kinds nobody asked for (sid, ptrace, coredump, unknown
 *     {@code what}, other connector ids)
 * @param malformed messages whose lengths did not fit; after a broken netlink header the rest of
 *     the datagram is skipped and counted once
 * @param firstError a description of the first malformed message, or {@code null}
 */
public record ParsedDatagram(
    List<ProcEvent> events, int acks, int ackErrno, int ignored, int malformed, String firstError) {

  public ParsedDatagram {
    events = List.copyOf(events);
  }
}
