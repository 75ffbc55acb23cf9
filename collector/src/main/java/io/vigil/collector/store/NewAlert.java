package io.vigil.collector.store;

import java.util.Objects;

/**
 * What one rule said about one event, ready to be stored with that event: everything of an alert
 * row except the event's key and times. Built off the writer thread (JSON included), so that the
 * writer only binds and inserts. Immutable.
 *
 * @param ruleId the rule's {@code id}, or its file when it has none
 * @param title the rule's title
 * @param level the rule's level, null when it gives none
 * @param tagsJson the rule's tags as a JSON array of strings
 * @param matchedFieldsJson a JSON object: each Sigma field that made the rule match to the event's
 *     values of it (attacker-controlled text)
 * @param ruleOrigin the file the rule was loaded from
 */
public record NewAlert(
    String ruleId,
    String title,
    String level,
    String tagsJson,
    String matchedFieldsJson,
    String ruleOrigin) {
  public NewAlert {
    Objects.requireNonNull(ruleId);
    Objects.requireNonNull(title);
    Objects.requireNonNull(tagsJson);
    Objects.requireNonNull(matchedFieldsJson);
    Objects.requireNonNull(ruleOrigin);
  }
}
