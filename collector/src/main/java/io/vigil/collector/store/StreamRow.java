package io.vigil.collector.store;

/** One spool stream (agent + epoch) and its watermark: every seq at or below it is settled. */
public record StreamRow(String agentId, String epoch, long watermark, long firstSeenNs) {}
