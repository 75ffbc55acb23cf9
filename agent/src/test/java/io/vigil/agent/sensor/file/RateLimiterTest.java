package io.vigil.agent.sensor.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Per-path windows and the global token bucket, on a manual clock. */
class RateLimiterTest {

  @Test
  void pathsAreCountedPerTumblingWindow() {
    RateLimiter r = new RateLimiter(2, 1_000, 1_000_000, 100, 0);
    assertEquals(RateLimiter.Verdict.ADMIT, r.admit("/a", 0));
    assertEquals(RateLimiter.Verdict.ADMIT, r.admit("/a", 1));
    assertEquals(RateLimiter.Verdict.PATH, r.admit("/a", 2));
    assertEquals(RateLimiter.Verdict.ADMIT, r.admit("/b", 3));
    assertEquals(RateLimiter.Verdict.ADMIT, r.admit("/a", 1_000));
  }

  @Test
  void theBucketHoldsOneSecondAndRefillsContinuously() {
    RateLimiter r = new RateLimiter(1_000, 1_000_000_000_000L, 10, 100, 0);
    for (int i = 0; i < 10; i++) {
      assertEquals(RateLimiter.Verdict.ADMIT, r.admit("/p" + i, 0));
    }
    assertEquals(RateLimiter.Verdict.GLOBAL, r.admit("/x", 0));
    assertEquals(RateLimiter.Verdict.ADMIT, r.admit("/x", 100_000_000)); // 0.1 s = 1 token
    assertEquals(RateLimiter.Verdict.GLOBAL, r.admit("/y", 100_000_000));
    long late = 3_600_000_000_000L; // an hour of quiet still allows only one second's burst
    for (int i = 0; i < 10; i++) {
      assertEquals(RateLimiter.Verdict.ADMIT, r.admit("/q" + i, late));
    }
    assertEquals(RateLimiter.Verdict.GLOBAL, r.admit("/z", late));
  }

  @Test
  void pathsBeyondTheTableAreLimitedOnlyGlobally() {
    RateLimiter r = new RateLimiter(1, 1_000, 1_000_000, 2, 0);
    r.admit("/a", 0);
    r.admit("/b", 0);
    assertEquals(RateLimiter.Verdict.ADMIT, r.admit("/c", 0));
    assertEquals(RateLimiter.Verdict.ADMIT, r.admit("/c", 0));
    assertEquals(RateLimiter.Verdict.PATH, r.admit("/a", 0));
  }
}
