package io.vigil.common.metrics;

import java.util.concurrent.atomic.LongAdder;

/** A monotonically increasing count. Thread-safe and cheap to increment from hot paths. */
public final class Counter {
  private final LongAdder value = new LongAdder();

  Counter() {}

  public void inc() {
    value.increment();
  }

  public void add(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("counter cannot decrease: " + n);
    }
    value.add(n);
  }

  public long get() {
    return value.sum();
  }
}
