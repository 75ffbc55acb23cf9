package io.vigil.collector.store;

/**
 * The stored event an alert is raised on, as the writer knows it when it stores the alert.
 * Immutable.
 *
 * @param streamId the event's stream; with {@code seq} the event's key
 * @param eventKind the event's kind (the events row's {@code kind})
 * @param eventTimeNs when the event happened, agent clock
 * @param storedNs when the collector received the event (its row's {@code receive_time_ns})
 * @param process the event's acting process, null when it has none
 */
public record AlertContext(
    String agentId,
    long streamId,
    long seq,
    int eventKind,
    long eventTimeNs,
    long storedNs,
    ProcessFacts process) {}
