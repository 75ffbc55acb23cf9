package io.vigil.agent.ship;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void delaysDoubleWithJitterUpToTheCeilingAndResetAfterSuccess() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
    long ceiling = 100;
    for (int i = 0; i < 10; i++) {
      long d = b.next().toMillis();
      assertTrue(d >= ceiling / 2 && d <= ceiling, "attempt " + i + ": " + d + " ms");
      ceiling = Math.min(1000, ceiling * 2);
    }
    b.reset();
    assertTrue(b.next().toMillis() <= 100);
  }

  @Test
  void jitterSpreadsAFleet() {
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 200; i++) {
      long d = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(1)).next().toMillis();
      min = Math.min(min, d);
      max = Math.max(max, d);
    }
    assertTrue(max - min > 2000, "200 agents must not all wait the same: " + min + ".." + max);
  }
}
