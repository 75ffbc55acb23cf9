package io.vigil.collector.sink;

import io.vigil.collector.store.SinkStore;
import io.vigil.common.time.WallClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink's delivery: reads the stored alerts after the sink's cursor in id order, drops those its
 * filter rejects, hands the rest to the sender, and moves the cursor past the batch only once the
 * sender returned. A failed send is retried, with the same alerts, after a backoff, for as long as
 * it takes; the only alerts never delivered are those filtered out and those skipped because the
 * sink fell more than {@code max_backlog} behind (counted and logged). So delivery is at least
 * once, in id order.
 *
 * <p>Runs on its own thread ({@link #run}); {@link #wake} and {@link #stop} may be called from any
 * thread. It owns the store connection and the sender and closes both when it ends.
 */
final class SinkLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(SinkLoop.class);

  private final SinkSettings settings;
  private final SinkStore store;
  private final AlertSender sender;
  private final SinkMetrics metrics;
  private final Backoff backoff;
  private final Duration poll;
  private final Object monitor = new Object();
  private boolean woken;
  private volatile boolean stopping;
  private long cursor;

  /**
   * @param poll how long to wait for a {@link #wake} before looking for new alerts anyway (alerts
   *     raised outside the ingest path, e.g. by another process on the same database)
   */
  SinkLoop(
      SinkSettings settings,
      SinkStore store,
      AlertSender sender,
      SinkMetrics metrics,
      Backoff backoff,
      Duration poll) {
    this.settings = settings;
    this.store = store;
    this.sender = sender;
    this.metrics = metrics;
    this.backoff = backoff;
    this.poll = poll;
  }

  /** Says new alerts were stored: the loop looks at once instead of at its next poll. */
  void wake() {
    synchronized (monitor) {
      woken = true;
      monitor.notifyAll();
    }
  }

  /** Asks the loop to end after the attempt in progress (a send is not interrupted). */
  void stop() {
    stopping = true;
    wake();
  }

  @Override
  public void run() {
    try {
      while (!stopping && !start()) {
        pause(backoff.next());
      }
      while (!stopping) {
        boolean more;
        try {
          more = step();
        } catch (RuntimeException e) { // the store failed (disk, lock timeout): try again later
          metrics.failures.inc();
          log.warn("sink {}: cannot read or advance its alerts: {}", settings.name(), e.toString());
          pause(backoff.next());
          continue;
        }
        if (!more) {
          awaitWork();
        }
      }
    } finally {
      close();
    }
  }

  /** Reads the cursor, or places a new sink's cursor by its {@code start}; false on failure. */
  private boolean start() {
    try {
      var stored = store.cursor(settings.name());
      if (stored.isPresent()) {
        cursor = stored.getAsLong();
      } else {
        cursor = settings.startOldest() ? 0 : store.newestAlertId();
        store.advance(settings.name(), cursor, WallClock.nowNanos());
        log.info(
            "sink {}: new, starts after alert {} (start: {})",
            settings.name(),
            cursor,
            settings.startOldest() ? "oldest" : "now");
      }
      return true;
    } catch (RuntimeException e) {
      log.warn("sink {}: cannot read its cursor: {}", settings.name(), e.toString());
      return false;
    }
  }

  /**
   * One batch: skip what is beyond the backlog bound, then read, filter, send, advance.
   *
   * @return whether there may be more alerts to deliver right away
   */
  private boolean step() {
    long newest = store.newestAlertId();
    metrics.lag.set(Math.max(0, newest - cursor));
    if (newest - cursor > settings.maxBacklog()) {
      skipTo(newest - settings.maxBacklog());
    }
    List<SinkAlert> batch = store.alertsAfter(cursor, settings.batchMax());
    if (batch.isEmpty()) {
      return false;
    }
    List<SinkAlert> pass = new ArrayList<>(batch.size());
    for (SinkAlert a : batch) {
      if (settings.filter().accepts(a)) {
        pass.add(a);
      }
    }
    if (!pass.isEmpty()) {
      try {
        sender.send(pass);
      } catch (IOException | RuntimeException e) {
        metrics.failures.inc();
        Duration wait = backoff.next();
        log.warn(
            "sink {} ({}): delivery of {} alert(s) from id {} failed (attempt {}), retrying in {}"
                + " ms: {}",
            settings.name(),
            sender.describe(),
            pass.size(),
            pass.get(0).id(),
            backoff.failuresInARow(),
            wait.toMillis(),
            e.toString());
        pause(wait);
        return true;
      }
    }
    long last = batch.get(batch.size() - 1).id();
    // Counted once delivered, whether or not the cursor write below succeeds: if it fails the
    // batch is sent again (at least once), and counted again.
    metrics.delivered.add(pass.size());
    metrics.filtered.add(batch.size() - pass.size());
    if (backoff.failuresInARow() > 0) {
      log.info(
          "sink {}: delivering again after {} failed attempt(s)",
          settings.name(),
          backoff.failuresInARow());
    }
    backoff.reset();
    store.advance(settings.name(), last, WallClock.nowNanos());
    cursor = last;
    metrics.lag.set(Math.max(0, newest - cursor));
    return batch.size() == settings.batchMax();
  }

  private void skipTo(long target) {
    long count = store.countBetween(cursor, target);
    store.advance(settings.name(), target, WallClock.nowNanos());
    metrics.skipped.add(count);
    log.warn(
        "sink {}: fell more than max_backlog={} alerts behind; skipped {} undelivered alert(s),"
            + " ids {} to {}",
        settings.name(),
        settings.maxBacklog(),
        count,
        cursor + 1,
        target);
    cursor = target;
  }

  /** Waits up to the poll interval for a wake (new alerts) or a stop. */
  private void awaitWork() {
    waitOut(poll, true);
  }

  /** Waits out a backoff; a stop ends it early, a wake does not. */
  private void pause(Duration wait) {
    waitOut(wait, false);
  }

  /**
   * Waits {@code wait} on the monitor unless stopped (or, when {@code untilWoken}, woken) first;
   * either way the wake is consumed.
   */
  private void waitOut(Duration wait, boolean untilWoken) {
    synchronized (monitor) {
      long deadline = System.nanoTime() + wait.toNanos();
      while (!(untilWoken && woken) && !stopping) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(monitor, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stopping = true;
        }
      }
      woken = false;
    }
  }

  /** Closes the sender and the store connection; called by {@link #run} as it ends. */
  void close() {
    try {
      sender.close();
    } catch (IOException | RuntimeException e) {
      log.warn("sink {}: closing {} failed: {}", settings.name(), sender.describe(), e.toString());
    }
    try {
      store.close();
    } catch (RuntimeException e) {
      log.warn("sink {}: closing its store connection failed: {}", settings.name(), e.toString());
    }
  }
}
