package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The token bucket on a clock the test moves. */
class AgentRateLimiterTest {
  private long now = 1_000_000_000L;

  @Test
  void aBurstOfOneSecondPassesAndDebtBecomesADelay() {
    AgentRateLimiter limiter =
        new AgentRateLimiter(1000, new MetricsRegistry().counter("t", "t"), () -> now);
    assertEquals(0, limiter.take(600));
    assertEquals(0, limiter.take(400));
    assertEquals(500_000_000L, limiter.take(500)); // 500 events in debt at 1000/s
    now += 500_000_000L; // the debt is paid
    assertEquals(0, limiter.take(0));
    assertEquals(250_000_000L, limiter.take(250));
  }

  @Test
  void theBucketNeverHoldsMoreThanOneSecond() {
    AgentRateLimiter limiter =
        new AgentRateLimiter(1000, new MetricsRegistry().counter("t", "t"), () -> now);
    now += 3_600_000_000_000L; // an hour idle
    assertEquals(0, limiter.take(1000));
    assertEquals(1_000_000L, limiter.take(1));
  }

  @Test
  void zeroMeansNoLimit() {
    AgentRateLimiter limiter =
        new AgentRateLimiter(0, new MetricsRegistry().counter("t", "t"), () -> now);
    assertEquals(0, limiter.take(Integer.MAX_VALUE));
  }

  @Test
  void aDelayedRequestRunsLaterAndIsCounted() throws Exception {
    Counter throttled = new MetricsRegistry().counter("t", "t");
    AgentRateLimiter limiter = new AgentRateLimiter(1000, throttled, System::nanoTime);
    CountDownLatch ran = new CountDownLatch(2);
    limiter.afterBatch("a", 1000, ran::countDown); // within the burst: runs now
    assertEquals(1, ran.getCount());
    limiter.afterBatch("a", 100, ran::countDown); // ~0.1 s later, on the delay scheduler
    assertTrue(ran.await(60, TimeUnit.SECONDS));
    assertEquals(1, throttled.get());
  }
}
