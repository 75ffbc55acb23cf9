package io.vigil.collector.store;

/**
 * One stored alert with the host it came from, its event and its triage state. Text from the event
 * ({@code matchedFieldsJson}, {@code processJson}, {@code eventPayload}, the host name), from rule
 * and indicator files and from analysts (assignee, close reason) is untrusted: escape it before a
 * terminal shows it.
 *
 * @param id the alert id (never reused)
 * @param hostname the host name recorded with the alert, else the agent's last reported one, empty
 *     when unknown
 * @param eventKind the anchor event's {@code EventKind} number
 * @param eventTimeNs the anchor event's time
 * @param storedNs when the collector received the anchor event
 * @param level null when the rule gives none
 * @param tagsJson a JSON array of strings
 * @param matchedFieldsJson a JSON object of Sigma field name to array of values
 * @param eventPayload the serialized {@code vigil.v1.Event}, null if the event row is gone
 * @param source {@code sigma}, {@code correlation}, {@code intel} or {@code fim} (the integrity
 *     mirror)
 * @param state {@code new}, {@code acknowledged} or {@code closed}
 * @param closeReason why it was closed, null unless closed
 * @param assignee who is on it, null when nobody
 * @param count matches folded into this alert by suppression (1: just its own)
 * @param firstEventTimeNs the earliest event time of the alert's matches (the anchor's when not
 *     recorded)
 * @param lastEventTimeNs the latest event time of the alert's matches (the anchor's when not
 *     recorded)
 * @param entityId the acting process's entity id, null when the event has none
 * @param processJson the acting process with its parent chain as JSON, null when not recorded
 * @param indicatorJson intel only: the indicator as JSON, else null
 * @param groupKeyJson correlation only: the group-by values as JSON, else null
 * @param updatedNs when the alert last changed (stored, a match folded in, a triage change), 0 if
 *     not recorded
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
    byte[] eventPayload,
    String source,
    String state,
    String closeReason,
    String assignee,
    long count,
    long firstEventTimeNs,
    long lastEventTimeNs,
    String entityId,
    String processJson,
    String indicatorJson,
    String groupKeyJson,
    long updatedNs) {

  /** The fields a schema-2 alert has; triage state as for a new Sigma alert. */
  public AlertRow(
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
      byte[] eventPayload) {
    this(
        id,
        agentId,
        hostname,
        epoch,
        seq,
        eventKind,
        eventTimeNs,
        storedNs,
        ruleId,
        title,
        level,
        tagsJson,
        matchedFieldsJson,
        ruleOrigin,
        eventPayload,
        "sigma",
        "new",
        null,
        null,
        1,
        eventTimeNs,
        eventTimeNs,
        null,
        null,
        null,
        null,
        0);
  }
}
