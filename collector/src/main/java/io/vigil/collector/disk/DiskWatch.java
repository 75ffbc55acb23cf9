package io.vigil.collector.disk;

import io.vigil.collector.store.CollectorAlerts;
import io.vigil.common.text.JsonStrings;
import io.vigil.common.time.WallClock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures free space every interval (so refusing also stops when no agent is sending) and turns
 * each refusing episode into one {@value #RULE_ID} alert (source {@code health}, origin {@code
 * builtin:health}, level high), with a note on the same alert when batches are accepted again. The
 * alert stays open: someone should find out what filled the disk.
 *
 * <p>One daemon thread; {@link #close} stops it. A failed alert write (the disk may be that full)
 * is logged and tried again at the next tick.
 */
public final class DiskWatch implements AutoCloseable {
  /** The rule id of the alert raised when the collector starts refusing batches. */
  public static final String RULE_ID = "vigil-collector-disk-full";

  private static final Logger log = LoggerFactory.getLogger(DiskWatch.class);

  private final DiskGuard guard;
  private final CollectorAlerts alerts;
  private final ScheduledExecutorService executor;
  // Owned by the watch thread: the open episode's alert id, 0 when none.
  private long episodeAlert;
  private boolean alerting;

  private DiskWatch(DiskGuard guard, CollectorAlerts alerts) {
    this.guard = guard;
    this.alerts = alerts;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "disk-watch");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts watching; the caller closes the result (which does not close {@code alerts}). */
  public static DiskWatch start(DiskGuard guard, CollectorAlerts alerts) {
    DiskWatch w = new DiskWatch(guard, alerts);
    long ms = Math.max(10, guard.options().interval().toMillis());
    w.executor.scheduleWithFixedDelay(w::tick, 0, ms, TimeUnit.MILLISECONDS);
    return w;
  }

  /** Without the periodic thread: the caller calls {@link #tick} (tests). */
  static DiskWatch startManual(DiskGuard guard, CollectorAlerts alerts) {
    return new DiskWatch(guard, alerts);
  }

  /** One measurement and, on an episode's start or end, its alert or note. */
  void tick() {
    try {
      boolean refusing = guard.measure();
      long now = WallClock.nowNanos();
      if (refusing && !alerting) {
        episodeAlert = alerts.raise(RULE_ID, title(), "high", fields(), now);
        alerting = true;
        log.warn("raised alert {} ({})", episodeAlert, RULE_ID);
      } else if (!refusing && alerting) {
        alerts.note(
            episodeAlert,
            "batches accepted again: "
                + DiskGuard.human(guard.freeBytes())
                + " free on "
                + guard.where(),
            now);
        alerting = false;
      }
    } catch (RuntimeException e) {
      log.error("disk watch: {}", e.toString());
    }
  }

  private String title() {
    return "Collector storage nearly full: refusing event batches (agents keep spooling)";
  }

  private String fields() {
    StringBuilder b = new StringBuilder("{\"path\":[");
    JsonStrings.quote(guard.where(), b);
    b.append("],\"free_bytes\":[\"").append(guard.freeBytes()).append("\"]");
    b.append(",\"min_free_bytes\":[\"").append(guard.options().minFreeBytes()).append("\"]}");
    return b.toString();
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
