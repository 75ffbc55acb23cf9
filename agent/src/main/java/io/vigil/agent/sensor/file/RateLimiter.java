package io.vigil.agent.sensor.file;

import java.util.HashMap;
import java.util.Map;

/**
 * Rate control after coalescing: at most {@code perPath} events per path in each window (tumbling
 * windows), and a global token bucket of {@code perSecond} events a second with a burst of one
 * second's worth. Paths are counted in a bounded table; when it is full, further paths in that
 * window are limited only globally. Not thread-safe: the reader thread owns it.
 */
final class RateLimiter {
  /** What {@link #admit} decided. */
  enum Verdict {
    ADMIT,
    /** The path had its share of this window. */
    PATH,
    /** The global rate was exceeded. */
    GLOBAL
  }

  private final int perPath;
  private final long windowNanos;
  private final double perSecond;
  private final int maxTrackedPaths;
  private final Map<String, int[]> counts = new HashMap<>();
  private long windowStart;
  private double tokens;
  private long lastRefill;

  /**
   * @param perPath events per path per window
   * @param windowNanos the window
   * @param perSecond global events per second (and the burst)
   * @param maxTrackedPaths most paths counted per window
   * @param nowNanos monotonic time now
   */
  RateLimiter(int perPath, long windowNanos, int perSecond, int maxTrackedPaths, long nowNanos) {
    if (perPath < 1 || windowNanos <= 0 || perSecond < 1 || maxTrackedPaths < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    this.perPath = perPath;
    this.windowNanos = windowNanos;
    this.perSecond = perSecond;
    this.maxTrackedPaths = maxTrackedPaths;
    this.windowStart = nowNanos;
    this.tokens = perSecond;
    this.lastRefill = nowNanos;
  }

  /** Decides for one event about {@code path} at monotonic time {@code nowNanos}. */
  Verdict admit(String path, long nowNanos) {
    if (nowNanos - windowStart >= windowNanos) {
      counts.clear();
      windowStart = nowNanos;
    }
    int[] c = counts.get(path);
    if (c == null && counts.size() < maxTrackedPaths) {
      c = new int[1];
      counts.put(path, c);
    }
    if (c != null && c[0] >= perPath) {
      return Verdict.PATH;
    }
    long elapsed = nowNanos - lastRefill;
    if (elapsed > 0) {
      tokens = Math.min(perSecond, tokens + elapsed * perSecond / 1e9);
      lastRefill = nowNanos;
    }
    if (tokens < 1) {
      return Verdict.GLOBAL;
    }
    tokens -= 1;
    if (c != null) {
      c[0]++;
    }
    return Verdict.ADMIT;
  }
}
