package io.vigil.collector.store;

/**
 * A {@code vigil.v1.Gap} an agent reported, received as the event {@code seq} of its stream. {@code
 * reason} is the Gap.Reason name; {@code countsByKind} a JSON object of EventKind name to count;
 * first/last seq are 0 for losses that never had a seq.
 */
public record GapRow(
    String agentId,
    String epoch,
    long seq,
    String reason,
    long firstSeq,
    long lastSeq,
    long count,
    String countsByKind,
    long firstEventTimeNs,
    long lastEventTimeNs,
    String source) {}
