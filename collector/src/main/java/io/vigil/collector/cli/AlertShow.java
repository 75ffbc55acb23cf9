package io.vigil.collector.cli;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.vigil.collector.health.HealthAlerts;
import io.vigil.collector.store.AlertChange;
import io.vigil.collector.store.AlertDetail;
import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.RelatedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The text of {@code vigilctl alerts show}: the rule, host, times and count, matched fields,
 * indicator, correlation group and member events, the acting process under its parent chain drawn
 * as a tree, other events of that process, and the triage history. Every value from an event, a
 * rule or indicator file or an analyst is escaped and bounded. Stateless.
 */
final class AlertShow {
  private static final String LABEL = "  %-10s %s";

  private AlertShow() {}

  static List<String> format(AlertDetail d, List<RelatedEvent> processEvents, int processLimit) {
    AlertRow a = d.alert();
    List<String> out = new ArrayList<>();
    out.add(
        "alert "
            + a.id()
            + "  ["
            + Shown.text(a.level() == null ? "no level" : a.level())
            + "]  "
            + Shown.text(a.title()));
    line(out, "rule", Shown.text(a.ruleId()) + "  (" + Shown.text(a.source()) + ")");
    line(out, "from", Shown.longText(a.ruleOrigin()));
    line(out, "tags", list(a.tagsJson()));
    String state = Shown.text(a.state());
    if (a.closeReason() != null) {
      state += "  reason: " + Shown.longText(a.closeReason());
    }
    line(out, "state", state);
    line(out, "assignee", Shown.text(a.assignee()));
    if (a.updatedNs() > 0) {
      line(out, "updated", Shown.millis(a.updatedNs()));
    }
    line(
        out,
        "host",
        Shown.text(a.hostname().isEmpty() ? "(unknown)" : a.hostname())
            + "  agent "
            + Shown.text(a.agentId())
            + "  epoch "
            + Shown.text(a.epoch())
            + "  seq "
            + a.seq());
    line(
        out,
        "time",
        Shown.millis(a.eventTimeNs()) + "  (stored " + Shown.millis(a.storedNs()) + ")");
    if (a.count() > 1 || a.firstEventTimeNs() != a.lastEventTimeNs()) {
      line(
          out,
          "matches",
          a.count()
              + ", first "
              + Shown.millis(a.firstEventTimeNs())
              + ", last "
              + Shown.millis(a.lastEventTimeNs()));
    }
    matched(out, a.matchedFieldsJson());
    StoredJson.object(a.indicatorJson()).ifPresent(i -> indicator(out, i));
    StoredJson.parse(a.groupKeyJson()).ifPresent(g -> line(out, "group", Shown.longText(json(g))));
    out.add("event");
    if (HealthAlerts.COLLECTOR.equals(a.agentId()) && a.eventPayload() == null) {
      // Anchored on the collector's pseudo stream: there never was an event.
      out.add("  (none: an alert about the collector itself)");
      return out;
    }
    if (a.eventKind() == 0) {
      // A health alert the collector raised itself (silence, new epoch, clock skew, a hole):
      // raised on the agent's stream at a pseudo-seq of its own, not on an event of it.
      out.add("  (none: raised by the collector at " + Shown.text(a.epoch()) + ")");
    } else {
      out.add(
          "  "
              + eventLine(
                  a.hostname(),
                  new RelatedEvent(
                      "anchor",
                      a.agentId(),
                      a.epoch(),
                      a.seq(),
                      a.eventTimeNs(),
                      a.eventPayload())));
    }
    if (!d.events().isEmpty()) {
      out.add(
          "other events ("
              + d.eventCount()
              + (d.eventCount() > d.events().size() ? ", first " + d.events().size() : "")
              + ")");
      for (RelatedEvent r : d.events()) {
        out.add("  " + String.format("%-7s", r.role()) + eventLine(a.hostname(), r));
      }
    }
    out.add("process");
    Optional<Struct> process = StoredJson.object(a.processJson());
    if (process.isPresent()) {
      ProcessTree.format(process.get(), out);
    } else if (a.entityId() != null) {
      out.add("  entity " + Shown.text(a.entityId()) + " (no process context recorded)");
    } else {
      out.add("  (the event names no process)");
    }
    if (a.entityId() != null) {
      out.add(
          "events of this process ("
              + (processEvents.size() < processLimit
                  ? processEvents.size()
                  : "newest " + processLimit)
              + ")");
      for (RelatedEvent r : processEvents) {
        out.add("  " + eventLine(a.hostname(), r));
      }
    }
    out.add("history");
    if (d.history().isEmpty()) {
      out.add("  (no changes)");
    }
    for (AlertChange c : d.history()) {
      out.add("  " + change(c));
    }
    return out;
  }

  private static void line(List<String> out, String label, String value) {
    out.add(String.format(LABEL, label, value));
  }

  private static String eventLine(String hostname, RelatedEvent r) {
    return r.event()
        .map(e -> EventLine.format(hostname, e))
        .orElse("(event " + Shown.text(r.epoch()) + "#" + r.seq() + " not stored)");
  }

  private static String list(String json) {
    return StoredJson.parse(json)
        .filter(Value::hasListValue)
        .map(v -> strings(v))
        .filter(s -> !s.isEmpty())
        .orElse("-");
  }

  private static String strings(Value list) {
    List<String> items = new ArrayList<>();
    for (Value v : list.getListValue().getValuesList()) {
      items.add(Shown.text(v.hasStringValue() ? v.getStringValue() : json(v)));
    }
    return String.join(", ", items);
  }

  private static void matched(List<String> out, String json) {
    Optional<Struct> fields = StoredJson.object(json);
    if (fields.isEmpty() || fields.get().getFieldsCount() == 0) {
      line(out, "matched", "-");
      return;
    }
    String label = "matched";
    for (Map.Entry<String, Value> f : fields.get().getFieldsMap().entrySet()) {
      List<String> values = new ArrayList<>();
      Value v = f.getValue();
      List<Value> items = v.hasListValue() ? v.getListValue().getValuesList() : List.of(v);
      for (Value item : items) {
        values.add(
            "\""
                + Shown.longText(item.hasStringValue() ? item.getStringValue() : json(item))
                + "\"");
      }
      line(out, label, Shown.text(f.getKey()) + ": " + String.join(", ", values));
      label = "";
    }
  }

  private static void indicator(List<String> out, Struct i) {
    StringBuilder b =
        new StringBuilder()
            .append(Shown.text(StoredJson.string(i, "type")))
            .append(' ')
            .append(Shown.longText(StoredJson.string(i, "value")));
    String sourceName = StoredJson.string(i, "source_name");
    b.append("  source ").append(Shown.text(StoredJson.string(i, "source")));
    if (sourceName != null && !sourceName.isEmpty()) {
      b.append(" (").append(Shown.text(sourceName)).append(')');
    }
    String id = StoredJson.string(i, "id");
    if (id != null && !id.isEmpty()) {
      b.append("  id ").append(Shown.text(id));
    }
    line(out, "indicator", b.toString());
    String description = StoredJson.string(i, "description");
    if (description != null && !description.isEmpty()) {
      line(out, "", Shown.longText(description));
    }
  }

  private static String change(AlertChange c) {
    StringBuilder b =
        new StringBuilder()
            .append(Shown.millis(c.atNs()))
            .append("  ")
            .append(Shown.text(c.actor()))
            .append("  ")
            .append(Shown.text(c.action()));
    if (c.oldValue() != null || c.newValue() != null) {
      b.append(' ')
          .append(c.oldValue() == null ? "(none)" : Shown.text(c.oldValue()))
          .append(" -> ")
          .append(c.newValue() == null ? "(none)" : Shown.text(c.newValue()));
    }
    if (c.note() != null) {
      b.append(c.action().equals("close") ? "  reason: " : "  note: ")
          .append(Shown.longText(c.note()));
    }
    return b.toString();
  }

  private static String json(Value v) {
    StringBuilder b = new StringBuilder();
    StoredJson.write(v, b);
    return b.toString();
  }
}
