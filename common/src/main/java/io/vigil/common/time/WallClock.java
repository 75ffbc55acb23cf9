package io.vigil.common.time;

import java.time.Instant;

/** UTC nanoseconds since the epoch, as carried in {@code *_time_ns} fields. Thread-safe. */
public final class WallClock {
  private WallClock() {}

  /** Now, with the best precision the JVM clock offers (microseconds on Linux). */
  public static long nowNanos() {
    return toNanos(Instant.now());
  }

  public static long toNanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  public static Instant toInstant(long nanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
