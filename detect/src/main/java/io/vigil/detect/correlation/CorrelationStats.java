package io.vigil.detect.correlation;

/**
 * Counters of a {@link CorrelationEngine}: open groups and the inputs they hold, inputs waiting in
 * source buffers, and what was lost: inputs that came later than the lateness ({@code
 * lateDropped}), groups and inputs evicted by the bounds, inputs dropped because a source buffer
 * was full, the held-input bound was reached or the source cap was full ({@code bufferDropped}),
 * inputs skipped by a correlation because the event lacked a field it needs ({@code
 * missingFields}), values a sum or average ignored as not numeric ({@code nonNumeric}), findings
 * made, and idle sources removed at the source cap ({@code evictedSources}). Immutable snapshot.
 */
public record CorrelationStats(
    int openGroups,
    long heldInputs,
    long lateDropped,
    long evictedGroups,
    long evictedInputs,
    long bufferedInputs,
    long bufferDropped,
    long missingFields,
    long nonNumeric,
    long findings,
    long evictedSources) {}
