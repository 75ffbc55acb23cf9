package io.vigil.collector.store;

/**
 * A seq range the collector never received: {@code explained} once a Gap covers it, {@code
 * reported} once it was logged as a continuity violation.
 */
public record HoleRow(
    long id,
    String agentId,
    String epoch,
    long firstSeq,
    long lastSeq,
    long detectedNs,
    boolean explained,
    boolean reported) {}
