package io.vigil.collector.store;

/**
 * What the store keeps of one agent's health. Immutable (the status bytes are not copied: do not
 * change them).
 *
 * @param lastStatus the newest stored AgentStatus event (serialized {@code vigil.v1.Event}), null
 *     when none
 * @param lastStatusNs its event time, 0 when none
 * @param currentEpoch the stream epoch of the agent's newest Hello, empty when none
 * @param spooledSeq the highest seq the agent said it spooled (Hello, statuses), 0 when unknown
 * @param storedSeq the watermark of the current epoch's stream
 * @param clockSkewNs agent clock minus collector clock, 0 when unknown (the agents table keeps the
 *     opposite, collector minus agent)
 * @param silentSinceNs when the agent was declared silent, 0 when it is not
 */
public record AgentHealthRow(
    String agentId,
    byte[] lastStatus,
    long lastStatusNs,
    String currentEpoch,
    long spooledSeq,
    long storedSeq,
    long clockSkewNs,
    long silentSinceNs) {}
