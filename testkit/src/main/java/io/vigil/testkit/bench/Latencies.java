package io.vigil.testkit.bench;

import java.util.Arrays;

/**
 * Latencies of one kind of command, in nanoseconds, and their nearest-rank percentiles. Not
 * thread-safe.
 */
final class Latencies {
  private long[] values = new long[128];
  private int size;

  void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  int size() {
    return size;
  }

  /**
   * The nearest-rank percentile {@code p} (0 &lt; p &lt;= 100): the smallest value that at least p
   * % of the values do not exceed; 0 when there are none.
   */
  long percentile(double p) {
    if (size == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * size);
    return sorted[Math.max(0, Math.min(size, rank) - 1)];
  }

  long max() {
    return percentile(100);
  }
}
