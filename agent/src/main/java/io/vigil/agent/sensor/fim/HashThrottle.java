package io.vigil.agent.sensor.fim;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Keeps content hashing at or under a byte rate, so that a scan of a large tree does not starve the
 * host's disk: each chunk read books its share of time, and the reader sleeps when it is ahead.
 * Unused time is not saved up beyond a short burst. Sleeps wake early when {@code stop} turns true,
 * and then {@link #acquire} throws {@link ScanCancelled}. Not thread-safe (the scan thread only).
 */
final class HashThrottle {
  private static final long BURST_NANOS = 100_000_000L;

  private final long bytesPerSecond;
  private final BooleanSupplier stop;
  private long nextFree = Long.MIN_VALUE;

  /**
   * @param bytesPerSecond the rate; 0 for no limit
   * @param stop polled while sleeping
   */
  HashThrottle(long bytesPerSecond, BooleanSupplier stop) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bytesPerSecond must be >= 0: " + bytesPerSecond);
    }
    this.bytesPerSecond = bytesPerSecond;
    this.stop = stop;
  }

  /** Books {@code bytes} just read; sleeps while the reader is ahead of the rate. */
  void acquire(long bytes) {
    if (stop.getAsBoolean()) {
      throw new ScanCancelled();
    }
    if (bytesPerSecond == 0 || bytes <= 0) {
      return;
    }
    long now = System.nanoTime();
    if (nextFree == Long.MIN_VALUE || nextFree - now < -BURST_NANOS) {
      nextFree = now - BURST_NANOS;
    }
    nextFree += (long) (bytes * 1e9 / bytesPerSecond);
    long wait;
    while ((wait = nextFree - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
      if (stop.getAsBoolean()) {
        throw new ScanCancelled();
      }
    }
  }
}
