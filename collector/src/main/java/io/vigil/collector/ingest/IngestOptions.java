package io.vigil.collector.ingest;

import java.time.Duration;

/**
 * Limits and timings of {@link IngestService}.
 *
 * @param maxEventBytes largest serialized event accepted; larger ones are dead-lettered
 * @param maxQueuedBatches event and command-result batches waiting for the writer before {@link
 *     IngestService#submit} fails with {@link IngestBusyException}
 * @param maxEventsPerTransaction events one group commit gathers (at least one batch is taken)
 * @param maxTransactionBytes batch bytes one group commit gathers, bounding the writer's memory
 * @param holeGrace how long a hole may stay unexplained by a Gap before it is reported
 * @param holeCheckInterval how often the writer looks for holes past their grace
 */
public record IngestOptions(
    long maxEventBytes,
    int maxQueuedBatches,
    int maxEventsPerTransaction,
    long maxTransactionBytes,
    Duration holeGrace,
    Duration holeCheckInterval) {

  public IngestOptions {
    requirePositive("maxEventBytes", maxEventBytes);
    requirePositive("maxQueuedBatches", maxQueuedBatches);
    requirePositive("maxEventsPerTransaction", maxEventsPerTransaction);
    requirePositive("maxTransactionBytes", maxTransactionBytes);
    if (holeGrace.isNegative()) {
      throw new IllegalArgumentException("holeGrace must not be negative: " + holeGrace);
    }
    requirePositive("holeCheckInterval", holeCheckInterval.toMillis());
  }

  /** 1 MiB events, 64 queued batches, 20 000 events or 64 MiB per commit, 2 min grace. */
  public static IngestOptions defaults() {
    return new IngestOptions(
        1 << 20, 64, 20_000, 64L << 20, Duration.ofMinutes(2), Duration.ofSeconds(5));
  }

  public IngestOptions withHoleGrace(Duration grace) {
    return new IngestOptions(
        maxEventBytes,
        maxQueuedBatches,
        maxEventsPerTransaction,
        maxTransactionBytes,
        grace,
        holeCheckInterval);
  }

  public IngestOptions withQueue(int queuedBatches, int eventsPerTransaction) {
    return new IngestOptions(
        maxEventBytes,
        queuedBatches,
        eventsPerTransaction,
        maxTransactionBytes,
        holeGrace,
        holeCheckInterval);
  }

  public IngestOptions withMaxEventBytes(long bytes) {
    return new IngestOptions(
        bytes,
        maxQueuedBatches,
        maxEventsPerTransaction,
        maxTransactionBytes,
        holeGrace,
        holeCheckInterval);
  }

  private static void requirePositive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
