package io.vigil.collector.store;

import java.util.List;
import java.util.Objects;

/**
 * What detection said about one event, ready to be stored with that event: everything of an alert
 * row except the event's key and times and what the writer adds (process chain, host). Built off
 * the writer thread (JSON included) where it can be, so that the writer only binds and inserts.
 * Immutable.
 *
 * @param source {@code sigma}, {@code correlation}, {@code intel}, {@code fim} (the integrity
 *     mirror, rule ids {@code vigil-fim-*}) or {@code health} (fleet health and tamper, rule ids
 *     {@code vigil-agent-*} and {@code vigil-tamper-*})
 * @param ruleId the rule's {@code id} (or its file when it has none); for intel {@code
 *     intel:<type>:<value>}
 * @param title the rule's title, or for intel what the indicator is
 * @param level the rule's level, null when it gives none
 * @param tagsJson the rule's tags as a JSON array of strings
 * @param matchedFieldsJson a JSON object: each field that made the rule match to the event's values
 *     of it (attacker-controlled text)
 * @param ruleOrigin the file the rule or indicator was loaded from
 * @param dedupeKey what identical means for suppression (same rule, host and matched values); null:
 *     never folded into an earlier alert
 * @param indicatorJson intel only: the indicator (type, value, source, ...) as a JSON object
 * @param groupKeyJson correlation only: the group-by values as a JSON object
 * @param members correlation only: the events that made it up, besides the anchor event the alert
 *     is stored on (bounded by the correlation engine)
 */
public record NewAlert(
    String source,
    String ruleId,
    String title,
    String level,
    String tagsJson,
    String matchedFieldsJson,
    String ruleOrigin,
    String dedupeKey,
    String indicatorJson,
    String groupKeyJson,
    List<Member> members) {
  public NewAlert {
    Objects.requireNonNull(source);
    Objects.requireNonNull(ruleId);
    Objects.requireNonNull(title);
    Objects.requireNonNull(tagsJson);
    Objects.requireNonNull(matchedFieldsJson);
    Objects.requireNonNull(ruleOrigin);
    members = List.copyOf(members);
  }

  /** A Sigma rule's alert on one event (no suppression key). */
  public NewAlert(
      String ruleId,
      String title,
      String level,
      String tagsJson,
      String matchedFieldsJson,
      String ruleOrigin) {
    this(
        "sigma",
        ruleId,
        title,
        level,
        tagsJson,
        matchedFieldsJson,
        ruleOrigin,
        null,
        null,
        null,
        List.of());
  }

  /** One event behind a correlation alert: stored event ({@code streamId}, {@code seq}). */
  public record Member(long streamId, long seq, long eventTimeNs) {}
}
