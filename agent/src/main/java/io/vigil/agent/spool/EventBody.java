package io.vigil.agent.spool;

import io.vigil.proto.v1.Event;

/**
 * An event serialized without its {@code seq}, ready for {@link Spool#append(EventBody)}.
 *
 * <p>{@code seq} is field 1 of {@code vigil.v1.Event}, and protobuf writes fields in number order,
 * so the spool makes the canonical serialization of the sequenced event by writing the seq field
 * and then these bytes: serializing happens once, on the thread that made the event (a sensor's),
 * not again on the single spool writer thread. Immutable once made; {@code body} must not be
 * changed by anyone.
 *
 * @param kind {@link io.vigil.proto.v1.EventKind} number of the payload
 * @param eventTimeNs event time, UTC ns
 * @param body the serialized {@code vigil.v1.Event} with {@code seq} unset
 */
public record EventBody(int kind, long eventTimeNs, byte[] body) {
  /** Most bytes the seq field adds in front of the body: a tag byte and a 10-byte varint. */
  public static final int MAX_SEQ_FIELD_BYTES = 11;

  /** Serializes {@code event} without its seq (clearing any seq set on the builder). */
  public static EventBody of(Event.Builder event) {
    byte[] body = event.clearSeq().build().toByteArray();
    return new EventBody(event.getPayloadCase().getNumber(), event.getEventTimeNs(), body);
  }

  /** The serialized size of the event once the spool has given it {@code seq}. */
  public int sizeWithSeq(long seq) {
    return body.length + seqFieldSize(seq);
  }

  static int seqFieldSize(long seq) {
    if (seq == 0) {
      return 0; // proto3 does not write a zero scalar
    }
    int varint = (63 - Long.numberOfLeadingZeros(seq)) / 7 + 1;
    return 1 + varint;
  }
}
