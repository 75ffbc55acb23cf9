package io.vigil.agent.sensor.fim;

import io.vigil.agent.sensor.Reduction;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Keeps content hashing at or under a byte rate, so that a scan of a large tree does not starve the
 * host's disk: each chunk read books its share of time, and the reader sleeps when it is ahead.
 * Unused time is not saved up beyond a short burst. Sleeps wake early when {@code stop} turns true,
 * and then {@link #acquire} throws {@link ScanCancelled}. While the agent is over its budget
 * ({@link #slowWhen}) the rate is a quarter of the configured one, or {@link
 * #REDUCED_UNLIMITED_RATE} when the configured one is unlimited. Not thread-safe (the scan thread
 * only).
 */
final class HashThrottle {
  private static final long BURST_NANOS = 100_000_000L;

  /** The rate at reduced detail when {@code sensors.fim.hash_rate} is 0 (unlimited). */
  static final long REDUCED_UNLIMITED_RATE = 8L << 20;

  private final long bytesPerSecond;
  private final BooleanSupplier stop;
  private long nextFree = Long.MIN_VALUE;
  private volatile Reduction slower = Reduction.never();

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

  /**
   * While {@code reduction} is active, hashes at a quarter of the rate; each chunk so paced counts.
   */
  void slowWhen(Reduction reduction) {
    this.slower = reduction;
  }

  /** Books {@code bytes} just read; sleeps while the reader is ahead of the rate. */
  void acquire(long bytes) {
    if (stop.getAsBoolean()) {
      throw new ScanCancelled();
    }
    long rate = bytesPerSecond;
    Reduction r = slower;
    if (r.active() && bytes > 0) {
      rate = rate == 0 ? REDUCED_UNLIMITED_RATE : Math.max(1, rate / 4);
      r.skipped();
    }
    if (rate == 0 || bytes <= 0) {
      return;
    }
    long now = System.nanoTime();
    if (nextFree == Long.MIN_VALUE || nextFree - now < -BURST_NANOS) {
      nextFree = now - BURST_NANOS;
    }
    nextFree += (long) (bytes * 1e9 / rate);
    long wait;
    while ((wait = nextFree - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
      if (stop.getAsBoolean()) {
        throw new ScanCancelled();
      }
    }
  }
}
