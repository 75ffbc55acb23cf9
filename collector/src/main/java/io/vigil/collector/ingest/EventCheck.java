package io.vigil.collector.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.proto.v1.Event;

/** Decides whether one received event can be stored. Stateless. */
final class EventCheck {
  sealed interface Outcome permits Accepted, Rejected {}

  /**
   * @param kind the {@code EventKind} number of the payload
   */
  record Accepted(Event event, int kind) implements Outcome {}

  /**
   * @param label bounded metric label: unparseable, seq_mismatch, too_large or no_payload
   * @param reason what was wrong, for the dead-letter row
   */
  record Rejected(String label, String reason) implements Outcome {}

  private static final int MAX_DETAIL_CHARS = 200;

  private EventCheck() {}

  static Outcome check(ByteString raw, long expectedSeq, long maxEventBytes) {
    if (raw.size() > maxEventBytes) {
      return new Rejected(
          "too_large", "too large: " + raw.size() + " > " + maxEventBytes + " bytes");
    }
    Event event;
    try {
      event = Event.parseFrom(raw);
    } catch (InvalidProtocolBufferException e) {
      return new Rejected("unparseable", "unparseable: " + bounded(e.getMessage()));
    }
    if (event.getSeq() != expectedSeq) {
      return new Rejected(
          "seq_mismatch",
          "seq mismatch: expected "
              + Long.toUnsignedString(expectedSeq)
              + ", event says "
              + Long.toUnsignedString(event.getSeq()));
    }
    if (event.getPayloadCase() == Event.PayloadCase.PAYLOAD_NOT_SET) {
      // A payload kind newer than this collector also lands here; the raw bytes are kept.
      return new Rejected("no_payload", "no payload (or a payload kind this collector lacks)");
    }
    return new Accepted(event, event.getPayloadCase().getNumber());
  }

  private static String bounded(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_DETAIL_CHARS ? s : s.substring(0, MAX_DETAIL_CHARS) + "...";
  }
}
