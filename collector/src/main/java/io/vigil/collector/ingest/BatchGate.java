package io.vigil.collector.ingest;

import java.util.Optional;

/**
 * Whether event batches may be stored now, asked by {@link IngestService#submit} before a batch is
 * queued. Stream openings and command results do not ask: they are small, and the headroom a gate
 * keeps is for them (see {@code io.vigil.collector.disk}).
 */
@FunctionalInterface
public interface BatchGate {
  /** Accepts everything. */
  BatchGate OPEN = Optional::empty;

  /**
   * Empty while batches are accepted, otherwise why not. Called on gRPC threads for every batch:
   * quick (reads a state a background task keeps), thread-safe, never blocking.
   */
  Optional<IngestRefusedException> refusal();
}
