package io.vigil.collector.disk;

import io.vigil.collector.health.HealthAlerts;
import io.vigil.collector.ingest.IngestService;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures free space every interval (so refusing also stops when no agent is sending) and turns
 * each refusing episode into one {@value #RULE_ID} alert (source {@code health}, origin {@code
 * builtin:health}, level high, agent {@value HealthAlerts#COLLECTOR}), with a note on that alert
 * when batches are accepted again. The alert stays open: someone should find out what filled the
 * disk.
 *
 * <p>The alert is raised the way the health alerts are ({@link IngestService#raiseCollectorAlert}):
 * on the writer thread, through the allow-list and suppression (an episode that starts again within
 * the suppression window of an open one folds into it, counted), to the alert outputs and metrics.
 * The writer writes it within the headroom the guard keeps.
 *
 * <p>One daemon thread; {@link #close} stops it. A failed alert write (the disk may be that full)
 * is logged and tried again at the next tick.
 */
public final class DiskWatch implements AutoCloseable {
  /** The rule id of the alert raised when the collector starts refusing batches. */
  public static final String RULE_ID = HealthAlerts.DISK_FULL;

  /** How long a tick waits for the writer to commit the alert or note. */
  private static final Duration WRITE_WAIT = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(DiskWatch.class);

  private final DiskGuard guard;
  private final IngestService ingest;
  private final ScheduledExecutorService executor;
  // Owned by the watch thread: the open episode's alert write, null when no episode is open.
  private CompletableFuture<Long> episodeAlert;

  private DiskWatch(DiskGuard guard, IngestService ingest) {
    this.guard = guard;
    this.ingest = ingest;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "disk-watch");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts watching; the caller closes the result (which does not close {@code ingest}). */
  public static DiskWatch start(DiskGuard guard, IngestService ingest) {
    DiskWatch w = new DiskWatch(guard, ingest);
    long ms = Math.max(10, guard.options().interval().toMillis());
    w.executor.scheduleWithFixedDelay(w::tick, 0, ms, TimeUnit.MILLISECONDS);
    return w;
  }

  /** Without the periodic thread: the caller calls {@link #tick} (tests). */
  static DiskWatch startManual(DiskGuard guard, IngestService ingest) {
    return new DiskWatch(guard, ingest);
  }

  /** One measurement and, on an episode's start or end, its alert or note. */
  void tick() {
    try {
      boolean refusing = guard.measure();
      if (refusing && episodeAlert == null) {
        episodeAlert =
            ingest.raiseCollectorAlert(
                HealthAlerts.diskFull(
                    guard.where(), guard.freeBytes(), guard.options().minFreeBytes()));
        long id = await(episodeAlert);
        log.warn("raised alert {} ({})", id, RULE_ID);
      } else if (!refusing && episodeAlert != null) {
        CompletableFuture<Long> raised = episodeAlert;
        episodeAlert = null;
        long id = raised.isDone() && !raised.isCompletedExceptionally() ? raised.join() : 0;
        if (id != 0) {
          await(
              ingest.noteCollectorAlert(
                  id,
                  "batches accepted again: "
                      + DiskGuard.human(guard.freeBytes())
                      + " free on "
                      + guard.where()));
        }
      }
    } catch (ExecutionException e) {
      if (episodeAlert != null && episodeAlert.isCompletedExceptionally()) {
        episodeAlert = null; // the alert was not stored: raised again at the next tick
      }
      log.error("disk watch: alert write failed: {}", e.getCause().toString());
    } catch (TimeoutException e) {
      // Still queued behind the writer's work: it will be written, and is not raised twice.
      log.warn("disk watch: alert write not committed within {}", WRITE_WAIT);
    } catch (RuntimeException e) {
      log.error("disk watch: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static <T> T await(CompletableFuture<T> f)
      throws InterruptedException, ExecutionException, TimeoutException {
    return f.get(WRITE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
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
