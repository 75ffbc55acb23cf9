package io.vigil.collector.store;

import io.vigil.common.text.JsonStrings;
import io.vigil.proto.v1.EventKind;
import java.time.Instant;
import java.util.Locale;

/**
 * An alert as the one JSON object the alert outputs write (the {@code output.alerts_jsonl} file and
 * every alert sink), built from the alert just raised or from its stored row, so both give the same
 * text:
 *
 * <pre>{"alert_id":7,"time":"2026-11-28T08:00:00.123Z","event_time_ns":…,"stored_ns":…,
 * "source":"sigma","rule_id":"…","title":"…","level":"high","tags":[…],"agent_id":"…",
 * "hostname":"…","seq":42,"event_kind":"process_exec","matched_fields":{…},"process":{…},
 * "indicator":null,"group":null,"members":0,"rule_origin":"…"}</pre>
 *
 * The JSON columns are the stored ones, written as they are (valid JSON built by the collector);
 * every other string is JSON escaped, so the text is always exactly one object on one line.
 * Immutable.
 *
 * @param tagsJson the rule's tags, a JSON array
 * @param matchedFieldsJson a JSON object; {@code processJson}, {@code indicatorJson} and {@code
 *     groupKeyJson} are JSON objects or null
 * @param members how many events besides its anchor make up the alert (correlations)
 */
public record AlertLine(
    long alertId,
    String agentId,
    String hostname,
    long seq,
    int eventKind,
    long eventTimeNs,
    long storedNs,
    String source,
    String ruleId,
    String title,
    String level,
    String tagsJson,
    String matchedFieldsJson,
    String processJson,
    String indicatorJson,
    String groupKeyJson,
    int members,
    String ruleOrigin) {

  /** The JSON object, without a line end. */
  public String json() {
    StringBuilder line = new StringBuilder(512);
    line.append("{\"alert_id\":").append(alertId);
    line.append(",\"time\":");
    JsonStrings.quote(Instant.ofEpochSecond(0, eventTimeNs).toString(), line);
    line.append(",\"event_time_ns\":").append(eventTimeNs);
    line.append(",\"stored_ns\":").append(storedNs);
    string(line, "source", source);
    string(line, "rule_id", ruleId);
    string(line, "title", title);
    line.append(",\"level\":");
    if (level == null) {
      line.append("null");
    } else {
      JsonStrings.quote(level, line);
    }
    line.append(",\"tags\":").append(tagsJson);
    string(line, "agent_id", agentId);
    string(line, "hostname", hostname);
    line.append(",\"seq\":").append(seq);
    string(line, "event_kind", kindName(eventKind));
    line.append(",\"matched_fields\":").append(matchedFieldsJson);
    raw(line, "process", processJson);
    raw(line, "indicator", indicatorJson);
    raw(line, "group", groupKeyJson);
    line.append(",\"members\":").append(members);
    string(line, "rule_origin", ruleOrigin);
    return line.append('}').toString();
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
