package io.vigil.collector.stream;

import io.vigil.common.metrics.Counter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A token bucket for one agent's events and command results, shared by the agent's streams (see
 * {@link AgentStreamSlots}). It never refuses or drops anything: when an agent sends faster than
 * the limit, the collector asks gRPC for the stream's next message later, so the agent's sends
 * block on flow control and its events wait in its spool until they are read.
 *
 * <p>The bucket holds one second of events (a burst of that size passes at once) and refills at the
 * limit. A batch takes its events even when that leaves the bucket in debt; the debt is the delay.
 * The delayed request runs on the JDK's delay scheduler thread, never on a sleeping gRPC or ingest
 * thread. Thread-safe.
 */
final class AgentRateLimiter {
  private static final Logger log = LoggerFactory.getLogger(AgentRateLimiter.class);
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long perSecond;
  private final Counter throttled;
  private final LongSupplier nanoClock;
  private double tokens;
  private long lastNanos;
  private boolean logged;

  /**
   * @param perSecond events per second on average; 0 turns the limit off
   * @param throttled counts messages after which the next read was delayed
   */
  AgentRateLimiter(long perSecond, Counter throttled) {
    this(perSecond, throttled, System::nanoTime);
  }

  AgentRateLimiter(long perSecond, Counter throttled, LongSupplier nanoClock) {
    this.perSecond = perSecond;
    this.throttled = throttled;
    this.nanoClock = nanoClock;
    this.tokens = perSecond;
    this.lastNanos = nanoClock.getAsLong();
  }

  /**
   * Takes {@code events} (events of a batch, or command results) from the bucket and runs {@code
   * requestNext} now, or after the delay that brings the bucket out of debt.
   */
  void afterBatch(String agentId, int events, Runnable requestNext) {
    long delayNanos = take(events);
    if (delayNanos == 0) {
      requestNext.run();
      return;
    }
    throttled.inc();
    if (firstThrottle()) {
      log.info(
          "agent {} sends more than {} events/s (ingest.max_events_per_second_per_agent);"
              + " reading its stream more slowly, it keeps its events spooled meanwhile",
          agentId,
          perSecond);
    }
    CompletableFuture.delayedExecutor(delayNanos, TimeUnit.NANOSECONDS, Runnable::run)
        .execute(requestNext);
  }

  /** Nanoseconds until the bucket is out of debt after taking {@code events}; 0 when it is not. */
  synchronized long take(int events) {
    if (perSecond == 0) {
      return 0;
    }
    long now = nanoClock.getAsLong();
    double refill = (double) (now - lastNanos) * perSecond / NANOS_PER_SECOND;
    lastNanos = now;
    tokens = Math.min(perSecond, tokens + refill) - events;
    if (tokens >= 0) {
      return 0;
    }
    return (long) Math.ceil(-tokens * NANOS_PER_SECOND / perSecond);
  }

  /** Nanoseconds until the bucket is full again (0: it is full, as a new bucket would be). */
  synchronized long nanosUntilFull() {
    if (perSecond == 0) {
      return 0;
    }
    long now = nanoClock.getAsLong();
    tokens =
        Math.min(perSecond, tokens + (double) (now - lastNanos) * perSecond / NANOS_PER_SECOND);
    lastNanos = now;
    double missing = perSecond - tokens;
    return missing <= 0 ? 0 : (long) Math.ceil(missing * NANOS_PER_SECOND / perSecond);
  }

  private synchronized boolean firstThrottle() {
    boolean first = !logged;
    logged = true;
    return first;
  }
}
