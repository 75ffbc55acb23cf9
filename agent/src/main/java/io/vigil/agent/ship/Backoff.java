package io.vigil.agent.ship;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential reconnect delay with full jitter, so that a fleet of agents does not reconnect in
 * lockstep after a collector restart. Not thread-safe: owned by the shipper thread.
 */
final class Backoff {
  private final long initialNanos;
  private final long maxNanos;
  private long ceilingNanos;

  Backoff(Duration initial, Duration max) {
    this.initialNanos = Math.max(1, initial.toNanos());
    this.maxNanos = Math.max(initialNanos, max.toNanos());
    this.ceilingNanos = initialNanos;
  }

  /** The next delay: uniform in [ceiling/2, ceiling], then the ceiling doubles up to the max. */
  Duration next() {
    long ceiling = ceilingNanos;
    ceilingNanos = Math.min(maxNanos, ceiling > maxNanos / 2 ? maxNanos : ceiling * 2);
    long half = ceiling / 2;
    return Duration.ofNanos(half + ThreadLocalRandom.current().nextLong(half + 1));
  }

  /** After a refusal that retrying soon cannot change: the next delays are at the maximum. */
  void toMax() {
    ceilingNanos = maxNanos;
  }

  /** After a successful connection. */
  void reset() {
    ceilingNanos = initialNanos;
  }
}
