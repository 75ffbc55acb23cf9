package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import java.time.Duration;

/**
 * Limits of the agent stream's ingest path (the {@code ingest} section). Immutable.
 *
 * @param maxMessageBytes {@code ingest.max_message_bytes}: largest gRPC message accepted from an
 *     agent, counted after decompression (default 4 MiB); a larger one ends the stream with
 *     RESOURCE_EXHAUSTED
 * @param maxBatchEvents {@code ingest.max_batch_events}: events in one batch at most (default
 *     10000); more ends the stream with INVALID_ARGUMENT
 * @param maxEventsPerSecondPerAgent {@code ingest.max_events_per_second_per_agent}: events one
 *     agent stream may send per second on average (default 50000; 0: no limit); a faster agent is
 *     read more slowly and keeps the rest in its spool, nothing is refused
 * @param maxQueuedBatches {@code ingest.max_queued_batches}: batches received but not yet stored,
 *     across all agents, before the stream stops reading (back-pressure)
 * @param maxEventsPerTransaction {@code ingest.max_events_per_transaction}: events written in one
 *     store transaction at most
 * @param holeGrace {@code ingest.hole_grace}: how long a gap in an agent's sequence numbers may
 *     stay open before it is recorded as lost
 * @param fimMaxEntriesPerAgent {@code ingest.fim_max_entries_per_agent}: paths of one agent's
 *     integrity baseline the collector mirrors at most (beyond, an alert says the mirror is
 *     limited); bounds what a hostile agent can make the collector store
 * @param maxUploadBytes {@code ingest.max_upload_bytes}: largest file an agent may upload for a
 *     CollectFile command (default 64 MiB, at most 16 GiB); a command's own {@code max_bytes} is
 *     capped by it, and a command with {@code max_bytes} 0 gets it
 * @param maxConcurrentUploads {@code ingest.max_concurrent_uploads}: uploads in progress at once
 *     over all agents (default 4, 1 to 64); one more is refused with RESOURCE_EXHAUSTED
 * @param maxCollectedBytes {@code ingest.max_collected_bytes}: collected files kept at most, in
 *     total bytes over all agents (default 10 GiB, 1 MiB to 1 PiB); an upload that would go beyond
 *     it (counting uploads in progress at their declared size) is refused with RESOURCE_EXHAUSTED,
 *     so collect commands cannot fill the database's disk
 */
public record IngestSection(
    int maxMessageBytes,
    int maxBatchEvents,
    long maxEventsPerSecondPerAgent,
    int maxQueuedBatches,
    int maxEventsPerTransaction,
    Duration holeGrace,
    long fimMaxEntriesPerAgent,
    long maxUploadBytes,
    int maxConcurrentUploads,
    long maxCollectedBytes) {

  static IngestSection bind(ConfigNode node) {
    int maxMessage = (int) node.bytes("max_message_bytes", "4MiB", 64L << 10, 1L << 30);
    int maxBatchEvents = node.intValue("max_batch_events", 10_000, 1, 1_000_000);
    long perSecond = node.longValue("max_events_per_second_per_agent", 50_000, 0, 1_000_000_000);
    int maxQueued = node.intValue("max_queued_batches", 64, 1, 100_000);
    int perTx = node.intValue("max_events_per_transaction", 20_000, 1, 10_000_000);
    Duration holeGrace = node.duration("hole_grace", "2m", Duration.ZERO, Duration.ofDays(7));
    long fimMax = node.longValue("fim_max_entries_per_agent", 1_000_000, 1, 100_000_000);
    long maxUpload = node.bytes("max_upload_bytes", "64MiB", 1L << 10, 16L << 30);
    int uploads = node.intValue("max_concurrent_uploads", 4, 1, 64);
    long maxCollected = node.bytes("max_collected_bytes", "10GiB", 1L << 20, 1L << 50);
    return new IngestSection(
        maxMessage,
        maxBatchEvents,
        perSecond,
        maxQueued,
        perTx,
        holeGrace,
        fimMax,
        maxUpload,
        uploads,
        maxCollected);
  }
}
