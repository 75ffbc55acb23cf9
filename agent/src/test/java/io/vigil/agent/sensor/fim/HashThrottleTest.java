package io.vigil.agent.sensor.fim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.DetailLevel;
import io.vigil.agent.sensor.Reduction;
import org.junit.jupiter.api.Test;

/** At reduced detail, content hashing slows to a quarter of its rate (8 MiB/s when unlimited). */
class HashThrottleTest {
  private static final long MIB = 1 << 20;

  /** How long {@code mib} acquisitions of one MiB each take, in milliseconds. */
  private static long millisToAcquire(HashThrottle throttle, int mib) {
    long start = System.nanoTime();
    for (int i = 0; i < mib; i++) {
      throttle.acquire(MIB);
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void unlimitedHashingIsPacedOnlyWhileTheAgentIsOverBudget() {
    DetailLevel detail = DetailLevel.full();
    Reduction reduction = detail.reduction("fim_hash_slowed", "fim: slower");
    HashThrottle throttle = new HashThrottle(0, () -> false);
    throttle.slowWhen(reduction);
    for (int i = 0; i < 64; i++) {
      throttle.acquire(MIB); // unlimited: never sleeps, nothing counted
    }
    assertEquals(0, reduction.skippedCount());

    detail.reduce(true);
    long elapsedMs = millisToAcquire(throttle, 4);
    // 4 MiB at 8 MiB/s is 500 ms, less the 100 ms burst allowance; sleeping is never shorter.
    assertTrue(elapsedMs >= 350, "paced: " + elapsedMs + " ms");
    assertEquals(4, reduction.skippedCount());
  }

  @Test
  void aConfiguredRateIsQuartered() {
    DetailLevel detail = DetailLevel.full();
    Reduction reduction = detail.reduction("fim_hash_slowed", "fim: slower");
    HashThrottle throttle = new HashThrottle(64 * MIB, () -> false);
    throttle.slowWhen(reduction);
    detail.reduce(true);
    long elapsedMs = millisToAcquire(throttle, 8);
    // 8 MiB at 16 MiB/s (not 64) is 500 ms, less the 100 ms burst allowance.
    assertTrue(elapsedMs >= 350, "paced: " + elapsedMs + " ms");
    assertEquals(8, reduction.skippedCount());
  }
}
