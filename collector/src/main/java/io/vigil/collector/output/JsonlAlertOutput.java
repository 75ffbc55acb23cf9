package io.vigil.collector.output;

import io.vigil.collector.store.AlertLine;
import io.vigil.collector.store.NewAlert;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;

/**
 * Appends each raised alert to a file as one JSON object per line, for a SIEM or a log shipper to
 * pick up:
 *
 * <pre>{"alert_id":7,"time":"2026-11-28T08:00:00.123Z","source":"sigma","rule_id":"…",
 * "title":"…","level":"high","tags":[…],"agent_id":"…","hostname":"…","seq":42,
 * "event_kind":"process_exec","matched_fields":{…},"process":{…},"indicator":null,"group":null,
 * "members":0}</pre>
 *
 * The line is {@link AlertLine}, the same text the alert sinks deliver; every string taken from an
 * event is JSON escaped, so a line is always exactly one alert. Matches suppression folds into an
 * existing alert are not written again: the line is the alert, its count is in the store. Not
 * thread-safe: the ingest writer thread calls it after the commit that raised the alerts.
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
    AlertLine line =
        new AlertLine(
            r.alertId(),
            r.agentId(),
            r.hostname(),
            r.seq(),
            r.eventKind(),
            r.eventTimeNs(),
            r.storedNs(),
            a.source(),
            a.ruleId(),
            a.title(),
            a.level(),
            a.tagsJson(),
            a.matchedFieldsJson(),
            r.processJson(),
            a.indicatorJson(),
            a.groupKeyJson(),
            a.members().size(),
            a.ruleOrigin());
    try {
      out.append(line.json()).append('\n');
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
}
