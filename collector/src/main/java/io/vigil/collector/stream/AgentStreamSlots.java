package io.vigil.collector.stream;

import io.vigil.common.metrics.Counter;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one agent may hold across all its streams: at most {@link #MAX_STREAMS_PER_AGENT} streams at
 * once, and one event-rate bucket that they share.
 *
 * <p>Two streams, because a reconnecting agent opens its new stream before the collector has
 * noticed that the old connection is dead; the newer one's Welcome supersedes the older. A third is
 * refused: without a bound, an enrolled agent (or whoever stole its key) could open streams until
 * their Hellos and buffers fill the heap.
 *
 * <p>The bucket is kept by agent id rather than by stream, so that reconnecting or opening a second
 * stream does not give an agent a fresh burst. An agent's entry goes when its last stream ends and
 * its bucket is full again (a full bucket is the same as a new one); while it is in debt the entry
 * stays until the debt is paid, so the map holds the agents with streams plus those recently
 * throttled. Thread-safe.
 */
final class AgentStreamSlots {
  /** Streams one agent may have open at once. */
  static final int MAX_STREAMS_PER_AGENT = 2;

  private final Map<String, Entry> agents = new ConcurrentHashMap<>();
  private final long eventsPerSecond;
  private final Counter throttled;

  /**
   * @param eventsPerSecond each agent's event rate (0: no limit)
   * @param throttled counts batches after which an agent's next read was delayed
   */
  AgentStreamSlots(long eventsPerSecond, Counter throttled) {
    this.eventsPerSecond = eventsPerSecond;
    this.throttled = throttled;
  }

  /** One stream's hold on its agent's slot; {@link #release} is idempotent. */
  final class Slot {
    private final String agentId;
    private final Entry entry;
    private final AtomicBoolean released = new AtomicBoolean();

    private Slot(String agentId, Entry entry) {
      this.agentId = agentId;
      this.entry = entry;
    }

    /** The agent's rate bucket, shared with its other streams. */
    AgentRateLimiter rateLimiter() {
      return entry.limiter;
    }

    String agentId() {
      return agentId;
    }

    /** Gives the slot back (the stream ended); later calls do nothing. */
    void release() {
      if (released.compareAndSet(false, true)) {
        AgentStreamSlots.this.release(agentId);
      }
    }
  }

  /** A slot for a new stream of {@code agentId}, or null when the agent has its maximum open. */
  Slot acquire(String agentId) {
    Entry[] got = {null};
    agents.compute(
        agentId,
        (id, e) -> {
          Entry entry = e != null ? e : new Entry(new AgentRateLimiter(eventsPerSecond, throttled));
          if (entry.streams < MAX_STREAMS_PER_AGENT) {
            entry.streams++;
            got[0] = entry;
          }
          return entry;
        });
    return got[0] == null ? null : new Slot(agentId, got[0]);
  }

  /** Streams of {@code agentId} holding a slot now. */
  int streams(String agentId) {
    Entry e = agents.get(agentId);
    return e == null ? 0 : e.streams;
  }

  /** Agents with an entry (open streams or a bucket in debt); for tests. */
  int size() {
    return agents.size();
  }

  private void release(String agentId) {
    long[] untilFull = {0};
    agents.computeIfPresent(
        agentId,
        (id, e) -> {
          e.streams--;
          if (e.streams > 0) {
            return e;
          }
          untilFull[0] = e.limiter.nanosUntilFull();
          return untilFull[0] == 0 ? null : e;
        });
    if (untilFull[0] > 0) {
      // A millisecond late, so that rounding cannot leave the bucket a hair short of full.
      CompletableFuture.delayedExecutor(
              untilFull[0] + 1_000_000L, TimeUnit.NANOSECONDS, Runnable::run)
          .execute(() -> forgetIfIdle(agentId));
    }
  }

  private void forgetIfIdle(String agentId) {
    agents.computeIfPresent(
        agentId, (id, e) -> e.streams == 0 && e.limiter.nanosUntilFull() == 0 ? null : e);
  }

  /** Guarded by the map's per-key locking ({@code compute}). */
  private static final class Entry {
    final AgentRateLimiter limiter;
    volatile int streams;

    Entry(AgentRateLimiter limiter) {
      this.limiter = limiter;
    }
  }
}
