package io.vigil.collector.store;

/** A stream's row id and its committed (or, inside a transaction, pending) watermark. */
public record StreamRef(long streamId, long watermark) {}
