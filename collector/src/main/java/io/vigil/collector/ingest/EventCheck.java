package io.vigil.collector.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.collector.detection.Detections;
import io.vigil.collector.detection.EventDetector;
import io.vigil.collector.fim.FimMirror;
import io.vigil.collector.store.ProcessFacts;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventBatch;

/**
 * Decides whether one received event can be stored and which alerts to store with it. Stateless and
 * thread-safe: {@link IngestService} runs it on the thread that submits a batch (a gRPC thread of
 * that agent's stream), so that parsing and rule evaluation, the costliest parts of ingest, run in
 * parallel across streams instead of on the single writer thread.
 */
final class EventCheck {
  sealed interface Outcome permits Accepted, Rejected {}

  /**
   * @param kind the {@code EventKind} number of the payload
   * @param eventTimeNs the event's time
   * @param event the parsed event, kept only when asked for or when the writer needs it (a {@code
   *     Gap} it records, an {@code AgentStatus} the health applier keeps, an integrity event the
   *     {@link FimMirror} applies); otherwise null, so that queued batches do not hold parsed
   *     copies
   * @param detections what detection made of the event, stored with it only if the event is (a
   *     re-sent duplicate stores neither); {@link Detections#NONE} when nothing matched
   * @param process the event's acting process, null when it has none
   */
  record Accepted(
      int kind, long eventTimeNs, Event event, Detections detections, ProcessFacts process)
      implements Outcome {}

  /**
   * @param label bounded metric label: unparseable, seq_mismatch, too_large or no_payload
   * @param reason what was wrong, for the dead-letter row
   */
  record Rejected(String label, String reason) implements Outcome {}

  private static final int MAX_DETAIL_CHARS = 200;

  private EventCheck() {}

  /**
   * Checks every event of a batch; {@code result[i]} is the outcome of {@code events[i]}, which
   * must carry seq {@code first_seq + i}.
   *
   * @param keepEvents whether accepted events keep their parsed form (for outputs)
   * @param detector evaluates each accepted event; rejected events get no alerts
   * @param agentId the agent that sent the batch
   * @param hostname its host name, null when unknown
   */
  static Outcome[] checkAll(
      EventBatch batch,
      long maxEventBytes,
      boolean keepEvents,
      EventDetector detector,
      String agentId,
      String hostname) {
    int n = batch.getEventsCount();
    long first = batch.getFirstSeq();
    Outcome[] out = new Outcome[n];
    for (int i = 0; i < n; i++) {
      out[i] =
          check(
              batch.getEvents(i),
              first + i,
              maxEventBytes,
              keepEvents,
              detector,
              agentId,
              hostname);
    }
    return out;
  }

  static Outcome check(
      ByteString raw,
      long expectedSeq,
      long maxEventBytes,
      boolean keepEvent,
      EventDetector detector,
      String agentId,
      String hostname) {
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
    return new Accepted(
        event.getPayloadCase().getNumber(),
        event.getEventTimeNs(),
        keepEvent || event.hasGap() || event.hasAgentStatus() || FimMirror.wants(event)
            ? event
            : null,
        detector.detect(agentId, hostname, event),
        ProcessFacts.of(event));
  }

  private static String bounded(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_DETAIL_CHARS ? s : s.substring(0, MAX_DETAIL_CHARS) + "...";
  }
}
