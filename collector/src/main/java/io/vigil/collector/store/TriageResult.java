package io.vigil.collector.store;

/** What a {@link TriageStore} operation did. Immutable. */
public sealed interface TriageResult {
  long alertId();

  /**
   * The change was made and recorded.
   *
   * @param change the history row written
   * @param state the alert's state after it
   * @param assignee the alert's assignee after it, null when nobody
   */
  record Changed(long alertId, AlertChange change, String state, String assignee)
      implements TriageResult {}

  /** There is no alert with this id; nothing was written. */
  record NotFound(long alertId) implements TriageResult {}

  /**
   * The workflow does not allow the change in the alert's current state (or it would change
   * nothing); nothing was written.
   *
   * @param reason one sentence for the analyst, e.g. "alert 7 is closed; reopen it first"
   */
  record Refused(long alertId, String reason) implements TriageResult {}
}
