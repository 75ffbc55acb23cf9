package io.vigil.agent.sensor.fim;

import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.Sensor;
import io.vigil.agent.sensor.file.FileChangeListener;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.SensorState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * File integrity monitoring ({@code Event.sensor = "fim"}): a baseline of the configured paths
 * (SHA-256, size, mode, owner, times, inode; see {@link FileStateReader}), kept in the agent's
 * state directory ({@link BaselineStore}) and mirrored to the collector, which cannot be edited by
 * root on the host.
 *
 * <p>At start, without a usable local baseline, the sensor builds one and sends it whole ({@code
 * FimBaseline} parts, reason "created"); with one, it compares every path and reports each
 * difference as a {@code FileEvent} {@code ACTION_INTEGRITY_MISMATCH} with before and after, which
 * catches what changed while the agent was stopped, also when size and mtime were restored (ctime
 * and content cannot be). A scan ends with a {@code FimScan} carrying the baseline's digest, which
 * the collector checks against its mirror. Scans repeat every {@code rescanInterval}, and soon
 * after the file sensor loses notifications ({@link #lost}).
 *
 * <p>In real time, the file sensor calls {@link #changed} for each change it reports; a monitored
 * path (with what lies beneath, for a directory) is re-checked after a short delay, and a
 * difference is reported with the process that made the change. Any event the sink refuses makes
 * the collector's mirror stale, so the next scan sends the whole baseline again (reason "resync").
 *
 * <p>Thread-safe. One daemon thread, {@code vigil-fim}, does all the work and emits every event, in
 * order; {@link #changed} and {@link #lost} never block.
 */
public final class IntegritySensor implements Sensor, FileChangeListener {
  /** Sensor name and {@code Event.sensor}. */
  public static final String NAME = FimEvents.NAME;

  /**
   * Settings.
   *
   * @param paths absolute path patterns to monitor, with everything beneath; {@code *} and {@code
   *     ?} match within one component (e.g. {@code /home/*}{@code /.ssh})
   * @param excludes patterns left out, with everything beneath (they win over {@code paths})
   * @param rescanInterval time from the end of one scan to the start of the next
   * @param maxFileBytes a regular file is hashed over at most its first this many bytes ({@code
   *     FileState.hashed_bytes} says how many were)
   * @param maxFiles a scan meets at most this many paths and the baseline holds at most this many,
   *     each configured pattern guaranteed half an equal share of them ({@link FileQuota}); past
   *     that {@code FimScan.truncated} is set and the sensor is degraded
   * @param hashBytesPerSecond content read per second at most; 0 for no limit
   * @param stateDir where the baseline file is kept (created if missing)
   * @param entriesPerPart baseline entries per {@code FimBaseline} event at most (also bounded to
   *     512 KiB of entries)
   * @param recheckDelay a changed path is re-checked this long after the first change reported
   * @param ownPaths the agent's other directories, never monitored (its spool, rewritten all the
   *     time); the state directory always is left out
   */
  public record Options(
      List<String> paths,
      List<String> excludes,
      Duration rescanInterval,
      long maxFileBytes,
      int maxFiles,
      long hashBytesPerSecond,
      Path stateDir,
      int entriesPerPart,
      Duration recheckDelay,
      List<Path> ownPaths) {
    /** Default {@link #entriesPerPart}. */
    public static final int DEFAULT_ENTRIES_PER_PART = 1000;

    /** Default {@link #recheckDelay}: a burst of writes settles, the check still comes soon. */
    public static final Duration DEFAULT_RECHECK_DELAY = Duration.ofSeconds(2);

    /** Options without {@link #ownPaths}. */
    public Options(
        List<String> paths,
        List<String> excludes,
        Duration rescanInterval,
        long maxFileBytes,
        int maxFiles,
        long hashBytesPerSecond,
        Path stateDir,
        int entriesPerPart,
        Duration recheckDelay) {
      this(
          paths,
          excludes,
          rescanInterval,
          maxFileBytes,
          maxFiles,
          hashBytesPerSecond,
          stateDir,
          entriesPerPart,
          recheckDelay,
          List.of());
    }

    public Options {
      paths = List.copyOf(paths);
      excludes = List.copyOf(excludes);
      ownPaths = List.copyOf(ownPaths);
      for (String p : paths) {
        PathPattern.parse(p);
      }
      for (String e : excludes) {
        PathPattern.parse(e);
      }
      if (rescanInterval.isNegative() || rescanInterval.isZero()) {
        throw new IllegalArgumentException("rescanInterval must be positive: " + rescanInterval);
      }
      if (maxFileBytes < 1 || maxFiles < 1 || hashBytesPerSecond < 0 || entriesPerPart < 1) {
        throw new IllegalArgumentException(
            "need maxFileBytes >= 1, maxFiles >= 1, hashBytesPerSecond >= 0, entriesPerPart >= 1");
      }
      if (recheckDelay.isNegative()) {
        throw new IllegalArgumentException("recheckDelay must not be negative: " + recheckDelay);
      }
    }
  }

  /**
   * Totals since the sensor was built, for the metrics endpoint.
   *
   * @param scans scans completed
   * @param filesScanned paths read (scans and re-checks)
   * @param bytesHashed content bytes hashed (scans and re-checks)
   * @param changes differences reported
   * @param errors paths that could not be read
   * @param rechecks re-checks run
   * @param recheckDrops changes not queued for a re-check because the queue was full (each
   *     schedules a rescan instead)
   * @param badPaths paths from the file sensor refused as malformed (not absolute, too long)
   * @param resyncs times the whole baseline was sent again because the mirror was stale
   * @param refusedEvents events the sink refused (each makes the next scan resync)
   * @param saveFailures times the baseline could not be saved
   * @param lastScanDurationNs duration of the last completed scan
   * @param baselineEntries entries in the baseline now, tombstones of deleted files included
   */
  public record Counters(
      long scans,
      long filesScanned,
      long bytesHashed,
      long changes,
      long errors,
      long rechecks,
      long recheckDrops,
      long badPaths,
      long resyncs,
      long refusedEvents,
      long saveFailures,
      long lastScanDurationNs,
      long baselineEntries) {}

  /**
   * Fixed timings and bounds; a record so that tests can shorten them.
   *
   * @param overflowDelay a rescan after lost notifications starts this long after the loss
   * @param overflowMinInterval and at most once per this interval
   * @param saveDelay the baseline is saved this long after a re-check changed it
   * @param saveMinInterval and at most once per this interval
   * @param maxPendingRechecks paths waiting for a re-check at most
   */
  record Tuning(
      Duration overflowDelay,
      Duration overflowMinInterval,
      Duration saveDelay,
      Duration saveMinInterval,
      int maxPendingRechecks) {
    static final Tuning DEFAULT =
        new Tuning(
            Duration.ofSeconds(10),
            Duration.ofMinutes(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            10_000);
  }

  private final FimCounters counters = new FimCounters();
  private final FimWorker worker;
  private volatile String realtimeSource = "";
  private boolean started; // guarded by this
  private boolean closed; // guarded by this

  public IntegritySensor(Options options) {
    this(options, Tuning.DEFAULT);
  }

  IntegritySensor(Options options, Tuning tuning) {
    this.worker = new FimWorker(options, tuning, counters);
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Registers what integrity monitoring gives up while the agent is over its budget: content
   * hashing slows to a quarter of {@code sensors.fim.hash_rate} (8 MiB/s when unlimited), so scans
   * take longer. Call before {@link #start}.
   */
  public void reduceAtBudget(io.vigil.agent.sensor.DetailLevel detail) {
    worker.slowHashingWhen(
        detail.reduction(
            "fim_hash_slowed",
            "fim: content hashing at a quarter of its rate (scans take longer)"));
  }

  @Override
  public synchronized void start(EventSink sink) {
    if (started || closed) {
      throw new IllegalStateException("start is called once, before close");
    }
    started = true;
    worker.start(sink);
  }

  /**
   * Names the real-time source that calls {@link #changed} (e.g. {@code "fanotify"}), for {@link
   * #state}; call after the file sensor started. Empty: scans only.
   */
  public void realtimeSource(String sourceName) {
    this.realtimeSource = sourceName == null ? "" : sourceName;
  }

  @Override
  public void changed(String path, Optional<ProcessRef> actor) {
    worker.changed(path, actor);
  }

  @Override
  public void lost() {
    worker.lost();
  }

  /**
   * {@code source} is {@code "scan"}, or {@code "scan+NAME"} with a real-time source; degraded when
   * the baseline cannot be saved, scanning fails, or {@code maxFiles} left paths unmonitored (the
   * reason names the patterns).
   */
  @Override
  public SensorState state() {
    String rt = realtimeSource;
    List<String> reasons = new ArrayList<>(2);
    String save = worker.saveProblem();
    if (!save.isEmpty()) {
      reasons.add(save + " (changes made while the agent is stopped will not be found)");
    }
    String scan = worker.scanProblem();
    if (!scan.isEmpty()) {
      reasons.add(scan);
    }
    String truncation = worker.truncation();
    if (!truncation.isEmpty()) {
      reasons.add(truncation);
    }
    return SensorState.newBuilder()
        .setName(NAME)
        .setSource(rt.isEmpty() ? "scan" : "scan+" + rt)
        .setDegraded(!reasons.isEmpty())
        .setReason(String.join("; ", reasons))
        .build();
  }

  /** The totals so far. Thread-safe. */
  public Counters counters() {
    return counters.snapshot();
  }

  /**
   * Stops the worker, saving the baseline if it changed since it was saved (a comparing scan in
   * progress is cut short and what it changed saved; a new or re-scoped baseline in progress is
   * abandoned unsaved); idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    worker.close();
  }
}
