package io.vigil.collector.retention;

import io.vigil.collector.config.RetentionSection;
import java.time.Duration;

/**
 * What retention deletes; zero in a limit means no limit.
 *
 * @param eventsMaxAge events received longer ago are deleted
 * @param eventsMaxBytes the oldest events are deleted while the database's used size is above it
 * @param alertsMaxAge alerts stored longer ago are deleted with their history
 * @param interval time between runs
 * @param chunkEvents events deleted per transaction (alerts: a tenth of it)
 */
public record RetentionOptions(
    Duration eventsMaxAge,
    long eventsMaxBytes,
    Duration alertsMaxAge,
    Duration interval,
    int chunkEvents) {
  /** Small enough that a chunk's transaction takes milliseconds, so batches barely wait. */
  public static final int DEFAULT_CHUNK_EVENTS = 2000;

  public RetentionOptions {
    if (chunkEvents < 1) {
      throw new IllegalArgumentException("chunkEvents must be positive");
    }
  }

  /** From the {@code retention} section of the collector's config. */
  public static RetentionOptions of(RetentionSection s) {
    return new RetentionOptions(
        s.eventsMaxAge(), s.eventsMaxBytes(), s.alertsMaxAge(), s.interval(), DEFAULT_CHUNK_EVENTS);
  }

  /** Whether anything is ever deleted. */
  boolean enabled() {
    return !eventsMaxAge.isZero() || eventsMaxBytes > 0 || !alertsMaxAge.isZero();
  }
}
