package io.vigil.collector.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.vigil.collector.store.AlertChange;
import io.vigil.collector.store.AlertDetail;
import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.RelatedEvent;
import io.vigil.proto.v1.Event;
import java.util.List;
import java.util.Optional;

/**
 * The {@code --json} output of {@code vigilctl alerts}: one JSON object per alert (one line each
 * for {@code list}), events in protobuf's JSON mapping with the proto field names, like the JSONL
 * event output. Strings are quoted by {@code JsonStrings}, so each object is one line of valid
 * UTF-8 JSON whatever the alert holds. Stateless.
 */
final class TriageJson {
  private static final JsonFormat.Printer EVENTS =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

  private TriageJson() {}

  /** The alert's row, without its event. */
  static String row(AlertRow a) {
    StringBuilder out = new StringBuilder();
    JsonFields f = new JsonFields(out);
    fields(a, f);
    f.end();
    return out.toString();
  }

  /** Everything {@code vigilctl alerts show} shows, as one object. */
  static String detail(AlertDetail d, List<RelatedEvent> processEvents) {
    StringBuilder out = new StringBuilder();
    JsonFields f = new JsonFields(out);
    fields(d.alert(), f);
    f.raw(
        "event",
        b -> event(Optional.ofNullable(d.alert().eventPayload()).flatMap(TriageJson::decode), b));
    f.raw("events", b -> events(d.events(), b));
    f.num("event_count", d.eventCount());
    f.raw("process_events", b -> events(processEvents, b));
    f.raw("history", b -> history(d.history(), b));
    f.end();
    return out.toString();
  }

  private static void fields(AlertRow a, JsonFields f) {
    f.num("id", a.id())
        .str("source", a.source())
        .str("rule_id", a.ruleId())
        .str("title", a.title())
        .str("level", a.level())
        .stored("tags", a.tagsJson())
        .str("rule_origin", a.ruleOrigin())
        .str("state", a.state())
        .str("close_reason", a.closeReason())
        .str("assignee", a.assignee())
        .num("count", a.count())
        .str("agent_id", a.agentId())
        .str("hostname", a.hostname())
        .str("epoch", a.epoch())
        .num("seq", a.seq())
        .num("event_kind", a.eventKind())
        .num("event_time_ns", a.eventTimeNs())
        .num("first_event_time_ns", a.firstEventTimeNs())
        .num("last_event_time_ns", a.lastEventTimeNs())
        .num("stored_ns", a.storedNs())
        .num("updated_ns", a.updatedNs())
        .stored("matched_fields", a.matchedFieldsJson())
        .str("entity_id", a.entityId())
        .stored("process", a.processJson())
        .stored("indicator", a.indicatorJson())
        .stored("group_key", a.groupKeyJson());
  }

  private static Optional<Event> decode(byte[] payload) {
    try {
      return Optional.of(Event.parseFrom(payload));
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }

  private static void event(Optional<Event> e, StringBuilder out) {
    if (e.isEmpty()) {
      out.append("null");
      return;
    }
    try {
      EVENTS.appendTo(e.get(), out);
    } catch (java.io.IOException ex) {
      // Only Any fields of unknown types make the printer fail; Event has none.
      out.append("null");
    }
  }

  private static void events(List<RelatedEvent> events, StringBuilder out) {
    out.append('[');
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      RelatedEvent r = events.get(i);
      JsonFields f = new JsonFields(out);
      f.str("role", r.role())
          .str("agent_id", r.agentId())
          .str("epoch", r.epoch())
          .num("seq", r.seq())
          .num("event_time_ns", r.eventTimeNs())
          .raw("event", b -> event(r.event(), b));
      f.end();
    }
    out.append(']');
  }

  private static void history(List<AlertChange> changes, StringBuilder out) {
    out.append('[');
    for (int i = 0; i < changes.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      AlertChange c = changes.get(i);
      JsonFields f = new JsonFields(out);
      f.num("id", c.id())
          .num("at_ns", c.atNs())
          .str("actor", c.actor())
          .str("action", c.action())
          .str("old_value", c.oldValue())
          .str("new_value", c.newValue())
          .str("note", c.note());
      f.end();
    }
    out.append(']');
  }
}
