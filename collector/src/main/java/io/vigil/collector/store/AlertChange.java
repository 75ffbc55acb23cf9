package io.vigil.collector.store;

/**
 * One triage change of an alert, as recorded in {@code alert_changes} (append only). Immutable.
 *
 * @param atNs when, UTC nanoseconds
 * @param actor who: the operator named by the API token of the change (before issue #9, the OS user
 *     that ran {@code vigilctl}); see {@code docs/triage.md}
 * @param action {@code ack}, {@code close}, {@code reopen}, {@code assign} or {@code note}
 * @param oldValue the state or assignee before, null when not applicable or none
 * @param newValue the state or assignee after, null when not applicable or none
 * @param note the analyst's note, or for {@code close} the reason; null when none
 */
public record AlertChange(
    long id,
    long alertId,
    long atNs,
    String actor,
    String action,
    String oldValue,
    String newValue,
    String note) {}
