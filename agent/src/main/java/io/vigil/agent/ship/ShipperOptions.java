package io.vigil.agent.ship;

import java.time.Duration;

/**
 * How the shipper batches and reconnects.
 *
 * @param batchMaxEvents events per batch at most
 * @param batchMaxBytes serialized event bytes per batch at most (a single larger event is sent
 *     alone)
 * @param batchMaxDelay how long a partly filled batch may wait for more events
 * @param maxInFlightBatches batches sent but not yet acknowledged, at most
 * @param welcomeTimeout how long to wait for the collector's Welcome after opening the stream
 * @param initialBackoff first reconnect delay
 * @param maxBackoff reconnect delay ceiling
 */
public record ShipperOptions(
    int batchMaxEvents,
    long batchMaxBytes,
    Duration batchMaxDelay,
    int maxInFlightBatches,
    Duration welcomeTimeout,
    Duration initialBackoff,
    Duration maxBackoff) {
  public ShipperOptions {
    if (batchMaxEvents < 1 || batchMaxBytes < 1 || maxInFlightBatches < 1) {
      throw new IllegalArgumentException("batch limits and in-flight window must be positive");
    }
  }
}
