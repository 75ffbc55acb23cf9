package io.vigil.collector.trust;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * At most {@code max} attempts in any sliding minute. It bounds what a flood of enrolment attempts
 * costs (a token lookup, a signature check) and how fast tokens could be guessed. Thread-safe.
 */
final class AttemptLimiter {
  private static final Duration WINDOW = Duration.ofMinutes(1);

  private final int max;
  private final Clock clock;
  private final ArrayDeque<Instant> recent = new ArrayDeque<>();

  AttemptLimiter(int max, Clock clock) {
    this.max = max;
    this.clock = clock;
  }

  /** Takes one attempt; false when the minute's attempts are used up (the attempt is not taken). */
  synchronized boolean tryAcquire() {
    Instant now = clock.instant();
    Instant oldest = now.minus(WINDOW);
    while (!recent.isEmpty() && !recent.peekFirst().isAfter(oldest)) {
      recent.pollFirst();
    }
    if (recent.size() >= max) {
      return false;
    }
    recent.addLast(now);
    return true;
  }
}
