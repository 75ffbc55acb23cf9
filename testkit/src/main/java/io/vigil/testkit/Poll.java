package io.vigil.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a generous deadline (tests run on busy 2-core machines). */
public final class Poll {
  private Poll() {}

  /** Polls every 200 ms until {@code condition} holds; fails with {@code why} after timeout. */
  public static void until(Duration timeout, Supplier<String> why, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + ": " + why.get());
      }
      Thread.sleep(200);
    }
  }
}
