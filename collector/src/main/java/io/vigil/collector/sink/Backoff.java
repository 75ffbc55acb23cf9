package io.vigil.collector.sink;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Waits between delivery attempts: doubling from the initial wait up to the maximum, each wait
 * drawn at random between half and all of that ("equal jitter"), so that sinks retrying against one
 * receiver that came back do not all hit it at once. Not thread-safe: one sink's thread owns it.
 */
final class Backoff {
  private final long initialNs;
  private final long maxNs;
  private final RandomGenerator random;
  private int failures;

  Backoff(Duration initial, Duration max, RandomGenerator random) {
    this.initialNs = initial.toNanos();
    this.maxNs = Math.max(max.toNanos(), initialNs);
    this.random = random;
  }

  /** The wait after one more failure in a row. */
  Duration next() {
    long ceiling = initialNs;
    for (int i = 0; i < failures && ceiling < maxNs; i++) {
      ceiling = Math.min(maxNs, ceiling * 2);
    }
    failures++;
    long half = ceiling / 2;
    return Duration.ofNanos(half + random.nextLong(ceiling - half + 1));
  }

  /** After a success: the next failure waits the initial time again. */
  void reset() {
    failures = 0;
  }

  int failuresInARow() {
    return failures;
  }
}
