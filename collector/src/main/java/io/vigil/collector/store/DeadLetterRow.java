package io.vigil.collector.store;

/**
 * An event the collector acknowledged but could not accept. {@code raw} is the received bytes, cut
 * to the ingest size limit; {@code rawSize} is their full length.
 */
public record DeadLetterRow(
    long id,
    String agentId,
    String epoch,
    long seq,
    long receivedNs,
    String reason,
    byte[] raw,
    long rawSize) {}
