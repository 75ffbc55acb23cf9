package io.vigil.agent.spool;

/**
 * One spool entry as read back.
 *
 * @param seq position in the stream, equal to the {@code seq} inside {@code bytes}
 * @param kind {@link io.vigil.proto.v1.EventKind} number of the payload
 * @param eventTimeNs event time, UTC ns
 * @param bytes the serialized {@code vigil.v1.Event}; owned by the receiver
 */
public record SpooledEvent(long seq, int kind, long eventTimeNs, byte[] bytes) {}
