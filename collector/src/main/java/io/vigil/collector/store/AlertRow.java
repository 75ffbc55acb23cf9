package io.vigil.collector.store;

/**
 * One stored alert with the host it came from and its event. Text from the event ({@code
 * matchedFieldsJson}, {@code eventPayload}) and from rule files is untrusted: escape it before a
 * terminal shows it.
 *
 * @param id the alert id (never reused)
 * @param hostname the agent's last reported host name, empty when unknown
 * @param eventKind the event's {@code EventKind} number
 * @param storedNs when the collector received the event
 * @param level null when the rule gives none
 * @param tagsJson a JSON array of strings
 * @param matchedFieldsJson a JSON object of Sigma field name to array of values
 * @param eventPayload the serialized {@code vigil.v1.Event}, null if the event row is gone
 */
public record AlertRow(
    long id,
    String agentId,
    String hostname,
    String epoch,
    long seq,
    int eventKind,
    long eventTimeNs,
    long storedNs,
    String ruleId,
    String title,
    String level,
    String tagsJson,
    String matchedFieldsJson,
    String ruleOrigin,
    byte[] eventPayload) {}
