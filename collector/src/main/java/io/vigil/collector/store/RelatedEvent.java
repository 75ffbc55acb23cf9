package io.vigil.collector.store;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.proto.v1.Event;
import java.util.Optional;

/**
 * A stored event shown next to an alert: one of its members or folded matches, or another event of
 * the same process. Immutable apart from the payload array, which callers must not change.
 *
 * @param role {@code member} (a correlation's event), {@code folded} (a match suppression folded
 *     in) or {@code process} (an event of the alert's process)
 * @param payload the serialized {@code vigil.v1.Event}, null when the event row is gone
 */
public record RelatedEvent(
    String role, String agentId, String epoch, long seq, long eventTimeNs, byte[] payload) {

  /** The decoded event; empty when the row is gone or does not parse. */
  public Optional<Event> event() {
    if (payload == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Event.parseFrom(payload));
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty(); // stored events were parsed at ingest; show the rest anyway
    }
  }
}
