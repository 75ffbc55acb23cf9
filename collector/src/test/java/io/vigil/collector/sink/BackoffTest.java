package io.vigil.collector.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void waitsDoubleUpToTheMaximumWithJitterAndStartOverAfterASuccess() {
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), new SplittableRandom(7));
    long[] ceilings = {1, 2, 4, 8, 10, 10, 10};
    for (long c : ceilings) {
      Duration d = b.next();
      long ceiling = Duration.ofSeconds(c).toNanos();
      assertTrue(d.toNanos() >= ceiling / 2 && d.toNanos() <= ceiling, c + "s: " + d);
    }
    assertEquals(7, b.failuresInARow());
    b.reset();
    assertTrue(b.next().compareTo(Duration.ofSeconds(1)) <= 0);
  }
}
