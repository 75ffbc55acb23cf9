package io.vigil.collector.retention;

import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.RetentionReads;
import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.time.WallClock;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what is past retention, oldest first, every {@link RetentionOptions#interval}.
 *
 * <p>Events: by age, the ids below the first event received at or after the cutoff (found by a
 * binary search over ids, which grow with receive time: no index on time is needed); by size, the
 * oldest ids while the database's used size is above the bound. Then the rows that depend on the
 * deleted events by time: process rows (except parents of stored processes), correlation inputs,
 * dead letters, settled gaps and holes; a process row stays while a stored process names it as its
 * parent or the collector stored an event of it since the cutoff (processes.last_event_ns). Alerts:
 * closed ones by age, with their members and history, and never one a configured sink has not
 * delivered yet; open alerts stay whatever their age; an alert whose events were deleted stays and
 * still shows. Streams (watermarks) are never deleted.
 *
 * <p>Reads run on a read-only connection; every delete is a chunk of at most {@link
 * RetentionOptions#chunkEvents} rows, run through {@link IngestService#maintain} in the writer's
 * own transaction, one at a time, so batches queued meanwhile commit between chunks and no two
 * connections compete for the write lock. SQLite does not shrink the file: freed pages are reused.
 *
 * <p>One daemon thread; {@link #close} stops it (a chunk in progress commits or rolls back whole).
 */
public final class Retention implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Retention.class);
  private static final String DELETED = "vigil_collector_retention_deleted_total";
  private static final String HELP = "Rows deleted by retention, by table";

  private final RetentionOptions options;
  private final Set<String> sinks;
  private final Path file;
  private final IngestService ingest;
  private final MetricsRegistry metrics;
  private final ScheduledExecutorService executor;
  private volatile long lastRunSeconds;
  private volatile long usedBytes = -1;

  /**
   * Does not start a thread: {@link #runOnce} runs a pass on the caller's thread.
   *
   * @param sinks the names of the configured, enabled alert sinks ({@code sinks.NAME}): alerts they
   *     have not delivered are kept
   */
  public Retention(
      RetentionOptions options,
      Set<String> sinks,
      Path file,
      IngestService ingest,
      MetricsRegistry m) {
    this.options = options;
    this.sinks = Set.copyOf(sinks);
    this.file = file;
    this.ingest = ingest;
    this.metrics = m;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "retention");
              t.setDaemon(true);
              return t;
            });
    m.gauge(
        "vigil_collector_retention_last_run_seconds",
        "Unix time retention last completed a pass (0: not yet)",
        () -> lastRunSeconds);
    m.gauge(
        "vigil_collector_store_used_bytes",
        "The database's used size as retention last measured it (pages in use x page size)",
        () -> usedBytes);
  }

  /** Starts the periodic passes (none when nothing is ever deleted); the caller closes it. */
  public static Retention start(
      RetentionOptions options,
      Set<String> sinks,
      Path file,
      IngestService ingest,
      MetricsRegistry metrics) {
    Retention r = new Retention(options, sinks, file, ingest, metrics);
    if (options.enabled()) {
      long every = options.interval().toMillis();
      r.executor.scheduleWithFixedDelay(
          r::scheduledRun, Math.min(every, 10_000), every, TimeUnit.MILLISECONDS);
    }
    return r;
  }

  private void scheduledRun() {
    try {
      runOnce(WallClock.nowNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // Retried at the next interval; a failure here never touches ingest.
      log.error("retention pass failed: {}", e.toString());
    }
  }

  /**
   * One pass as of {@code nowNs}: blocks until every chunk is committed.
   *
   * @return rows deleted
   * @throws InterruptedException when interrupted between chunks (what was committed stays)
   */
  public long runOnce(long nowNs) throws InterruptedException {
    long deleted = 0;
    try (RetentionReads reads = RetentionReads.open(file)) {
      long dependentsBefore = Long.MIN_VALUE;
      if (!options.eventsMaxAge().isZero()) {
        long cutoff = nowNs - options.eventsMaxAge().toNanos();
        long end = reads.firstIdAtOrAfter("events", "receive_time_ns", cutoff);
        deleted += deleteEventsBelow(reads, end);
        dependentsBefore = cutoff;
      }
      if (options.eventsMaxBytes() > 0) {
        long bySize = deleteEventsOverSize(reads);
        deleted += bySize;
        if (bySize > 0) {
          // What the size bound left: rows older than the oldest event still stored.
          long min = reads.minId("events");
          long oldest = min == 0 ? nowNs : reads.timeAtOrAfter("events", "receive_time_ns", min);
          dependentsBefore = Math.max(dependentsBefore, oldest);
        }
      }
      if (dependentsBefore != Long.MIN_VALUE) {
        deleted += deleteDependents(dependentsBefore);
      }
      if (!options.alertsMaxAge().isZero()) {
        long cutoff = nowNs - options.alertsMaxAge().toNanos();
        long end =
            Math.min(
                reads.firstIdAtOrAfter("alerts", "stored_ns", cutoff),
                reads.firstUndeliveredAlertId(sinks));
        deleted += deleteClosedAlertsBelow(reads, end);
      }
      usedBytes = reads.usedBytes();
    }
    lastRunSeconds = TimeUnit.NANOSECONDS.toSeconds(WallClock.nowNanos());
    if (deleted > 0) {
      log.info("retention deleted {} rows", deleted);
    }
    return deleted;
  }

  private long deleteEventsBelow(RetentionReads reads, long end) throws InterruptedException {
    long total = 0;
    for (long from = reads.minId("events"); from > 0 && from < end; ) {
      long to = Math.min(end, from + options.chunkEvents());
      long f = from;
      total += count("events", inWriter(s -> s.retention().deleteEvents(f, to)));
      from = to;
    }
    return total;
  }

  private long deleteEventsOverSize(RetentionReads reads) throws InterruptedException {
    long total = 0;
    long used;
    while ((used = reads.usedBytes()) > options.eventsMaxBytes()) {
      long from = reads.minId("events");
      if (from == 0) {
        log.warn(
            "the database uses {} bytes with no events left, above retention.events_max_bytes {}:"
                + " alerts, process rows and the rest take the space",
            used,
            options.eventsMaxBytes());
        break;
      }
      long to = from + options.chunkEvents();
      total += count("events", inWriter(s -> s.retention().deleteEvents(from, to)));
    }
    return total;
  }

  private long deleteDependents(long beforeNs) throws InterruptedException {
    int limit = options.chunkEvents();
    return drain("processes", limit, s -> s.retention().deleteProcesses(beforeNs, limit))
        + drain(
            "correlation_inputs",
            limit,
            s -> s.retention().deleteCorrelationInputs(beforeNs, limit))
        + drain("dead_letters", limit, s -> s.retention().deleteDeadLetters(beforeNs, limit))
        + drain("gaps", limit, s -> s.retention().deleteGaps(beforeNs, limit))
        + drain("holes", limit, s -> s.retention().deleteHoles(beforeNs, limit));
  }

  /** Closed alerts with an id below {@code end}; open ones in between are stepped over. */
  private long deleteClosedAlertsBelow(RetentionReads reads, long end) throws InterruptedException {
    long total = 0;
    int chunk = Math.max(1, options.chunkEvents() / 10);
    // Each chunk starts at the next closed alert (an index seek), so old open alerts kept at the
    // low end cost nothing per pass.
    for (long from = reads.firstClosedAlertAtOrAfter(1); from > 0 && from < end; ) {
      long to = Math.min(end, from + chunk);
      long f = from;
      int[] n = inWriter(s -> s.retention().deleteClosedAlerts(f, to));
      total += count("alerts", n[0]) + count("alert_events", n[1]) + count("alert_changes", n[2]);
      from = reads.firstClosedAlertAtOrAfter(to);
    }
    return total;
  }

  /** Runs chunks of one delete until a chunk deletes fewer than {@code limit} rows. */
  private long drain(String table, int limit, Function<EventStore, Integer> chunk)
      throws InterruptedException {
    long total = 0;
    int n;
    do {
      n = inWriter(chunk);
      total += count(table, n);
    } while (n >= limit);
    return total;
  }

  private long count(String table, int n) {
    if (n > 0) {
      Counter c = metrics.counter(DELETED, HELP, "table", table);
      c.add(n);
    }
    return n;
  }

  private <T> T inWriter(Function<EventStore, T> work) throws InterruptedException {
    try {
      return ingest.maintain(work).get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
