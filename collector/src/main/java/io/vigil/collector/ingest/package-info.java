/**
 * Turns what agents send into stored rows, exactly once: {@link
 * io.vigil.collector.ingest.IngestService} queues batches for a single writer thread that dedupes
 * by seq, dead-letters what it cannot accept, tracks continuity (holes and the Gaps that explain
 * them) and commits events together with the stream watermark, group-committing many agents per
 * transaction. Transport-free: the gRPC service calls it.
 */
package io.vigil.collector.ingest;
