package io.vigil.agent.sensor.file;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The reader thread's work, from a notification to a change in the queue: the {@link PathFilter},
 * the {@link Coalescer} and the {@link RateLimiter}, so that what the bounded queue holds, and what
 * it drops when full, are events: every loss is counted exactly in events, as the Gap promises. All
 * of it is in memory and cheap next to the kernel read. Not thread-safe: only the reader thread
 * calls it.
 */
final class ChangeCollector {
  /** How long the final flush at close waits for room in the queue, in all. */
  private static final long CLOSE_WAIT_NANOS = 5_000_000_000L;

  private final PathFilter filter;
  private final HashPolicy policy;
  private final FileCounters counters;
  private final LossReports losses;
  private final LostSignal lost;
  private final BlockingQueue<FileChange> queue;
  private final Coalescer coalescer;
  private final RateLimiter limiter;
  private long now;
  private boolean closing;
  private long closeDeadline; // System.nanoTime() by which the final flush stops waiting

  ChangeCollector(
      FileSensor.Options options,
      PathFilter filter,
      HashPolicy policy,
      FileCounters counters,
      LossReports losses,
      LostSignal lost,
      BlockingQueue<FileChange> queue,
      long nowNanos) {
    this.filter = filter;
    this.policy = policy;
    this.counters = counters;
    this.losses = losses;
    this.lost = lost;
    this.queue = queue;
    long window = options.coalesceWindow().toNanos();
    this.coalescer = new Coalescer(window, options.maxPendingPaths(), this::admit);
    this.limiter =
        new RateLimiter(
            options.maxEventsPerPathPerWindow(),
            window,
            options.maxEventsPerSecond(),
            Math.max(options.maxPendingPaths(), 65_536),
            nowNanos);
    this.now = nowNanos;
  }

  /** One notification from the source, at monotonic time {@code nowNanos}. */
  void accept(FileNotification n, long nowNanos) {
    counters.notifications.increment();
    now = nowNanos;
    if (n.has(FileOps.OVERFLOW)) {
      counters.overflows.increment();
      losses.overflow(n.timeNs());
      lost.request();
      return;
    }
    long mask = filter.relevantMask(n);
    if (mask == 0) {
      counters.filteredOut.increment();
      return;
    }
    FileNotification kept =
        mask == n.mask()
            ? n
            : new FileNotification(mask, n.pid(), n.path(), n.oldPath(), n.timeNs());
    long evictedBefore = coalescer.evictions();
    switch (coalescer.accept(kept, nowNanos)) {
      case COALESCED -> counters.coalesced.increment();
      case ABSORBED -> counters.absorbed.increment();
      case NEW -> {}
    }
    counters.pendingEvictions.add(coalescer.evictions() - evictedBefore);
  }

  /** Emits the changes whose window ended by {@code nowNanos}. */
  void tick(long nowNanos) {
    now = nowNanos;
    coalescer.flushExpired(nowNanos);
    counters.pending = coalescer.pending();
  }

  /**
   * Emits every pending change (the reader is stopping); waits for room in the queue, because the
   * processor is still draining it.
   */
  void finish(long nowNanos) {
    now = nowNanos;
    closing = true;
    closeDeadline = System.nanoTime() + CLOSE_WAIT_NANOS;
    coalescer.flushAll();
    counters.pending = 0;
  }

  /** A coalesced change: remembered for the hash policy, rate-limited, queued. */
  private void admit(FileChange c) {
    policy.observe(c, now); // before the limits: a dropped write still makes a later chmod count
    DropReason dropped =
        switch (limiter.admit(c.subject(), now)) {
          case ADMIT -> offer(c) ? null : DropReason.QUEUE_FULL;
          case PATH -> DropReason.RATE_LIMITED_PATH;
          case GLOBAL -> DropReason.RATE_LIMITED_GLOBAL;
        };
    if (dropped != null) {
      counters.dropped(dropped, 1);
      losses.dropped(dropped, c.lastTimeNs());
      lost.request();
    }
  }

  private boolean offer(FileChange c) {
    if (!closing) {
      return queue.offer(c);
    }
    try {
      long wait = Math.max(0, closeDeadline - System.nanoTime());
      return queue.offer(c, wait, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
