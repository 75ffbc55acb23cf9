package io.vigil.collector.output;

import io.vigil.collector.store.NewAlert;
import io.vigil.common.text.JsonStrings;
import io.vigil.proto.v1.EventKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

/**
 * Appends each raised alert to a file as one JSON object per line, for a SIEM or a log shipper to
 * pick up:
 *
 * <pre>{"alert_id":7,"time":"2026-11-28T08:00:00.123Z","source":"sigma","rule_id":"…",
 * "title":"…","level":"high","tags":[…],"agent_id":"…","hostname":"…","seq":42,
 * "event_kind":"process_exec","matched_fields":{…},"process":{…},"indicator":null,"group":null,
 * "members":0}</pre>
 *
 * The JSON columns are the stored ones, written as they are (they are valid JSON built by the
 * collector); every string taken from an event is JSON escaped, so a line is always exactly one
 * alert. Matches suppression folds into an existing alert are not written again: the line is the
 * alert, its count is in the store. Not thread-safe: the ingest writer thread calls it after the
 * commit that raised the alerts.
 */
public final class JsonlAlertOutput implements AutoCloseable {
  private final Path file;
  private final Writer out;

  public JsonlAlertOutput(Path file) {
    this.file = file;
    this.out = AppendFile.open(file);
  }

  public void write(RaisedAlert r) {
    NewAlert a = r.alert();
    StringBuilder line = new StringBuilder(512);
    line.append("{\"alert_id\":").append(r.alertId());
    line.append(",\"time\":");
    JsonStrings.quote(Instant.ofEpochSecond(0, r.eventTimeNs()).toString(), line);
    line.append(",\"event_time_ns\":").append(r.eventTimeNs());
    line.append(",\"stored_ns\":").append(r.storedNs());
    string(line, "source", a.source());
    string(line, "rule_id", a.ruleId());
    string(line, "title", a.title());
    line.append(",\"level\":");
    if (a.level() == null) {
      line.append("null");
    } else {
      JsonStrings.quote(a.level(), line);
    }
    line.append(",\"tags\":").append(a.tagsJson());
    string(line, "agent_id", r.agentId());
    string(line, "hostname", r.hostname());
    line.append(",\"seq\":").append(r.seq());
    string(line, "event_kind", kindName(r.eventKind()));
    line.append(",\"matched_fields\":").append(a.matchedFieldsJson());
    raw(line, "process", r.processJson());
    raw(line, "indicator", a.indicatorJson());
    raw(line, "group", a.groupKeyJson());
    line.append(",\"members\":").append(a.members().size());
    string(line, "rule_origin", a.ruleOrigin());
    line.append("}\n");
    try {
      out.append(line);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + file, e);
    }
  }

  /** Hands buffered lines to the operating system (no fsync: the database is the record). */
  public void flush() {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + file, e);
    }
  }

  public String name() {
    return "alerts_jsonl";
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file, e);
    }
  }

  private static String kindName(int kind) {
    EventKind k = EventKind.forNumber(kind);
    if (k == null || k == EventKind.EVENT_KIND_UNSPECIFIED) {
      return "";
    }
    return k.name().substring("EVENT_KIND_".length()).toLowerCase(Locale.ROOT);
  }

  private static void string(StringBuilder line, String name, String value) {
    line.append(",\"").append(name).append("\":");
    JsonStrings.quote(value == null ? "" : value, line);
  }

  private static void raw(StringBuilder line, String name, String json) {
    line.append(",\"").append(name).append("\":").append(json == null ? "null" : json);
  }
}
