package io.vigil.agent.sensor.fim;

import io.vigil.agent.platform.linux.PathHandles;
import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.fim.Reconciler.Mode;
import io.vigil.agent.sensor.fim.Reconciler.Pass;
import io.vigil.common.time.WallClock;
import io.vigil.proto.fim.FimDigest;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FimEntry;
import io.vigil.proto.v1.FimScan;
import io.vigil.proto.v1.ProcessRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensor's one worker thread: it owns the baseline, runs the scans and the re-checks, saves the
 * baseline, and emits every event, so that they leave in the order the collector must apply them (a
 * scan's differences, then its baseline parts if any, then its {@code FimScan}).
 *
 * <p>{@link #changed}, {@link #lost} and {@link #close} are called from other threads and never
 * block; everything else runs on the worker.
 */
final class FimWorker implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(FimWorker.class);

  private final IntegritySensor.Options options;
  private final IntegritySensor.Tuning tuning;
  private final BaselineStore store;
  private final HashThrottle throttle;
  private final BaselineStore.Scope configured;
  private final RecheckQueue rechecks;
  private final FimCounters counters;
  private final Reconciler reconciler;
  private final AtomicLong overflowDue = new AtomicLong(); // nanoTime; 0 = none
  private final AtomicBoolean resync = new AtomicBoolean();
  private volatile FimScope scope;
  private volatile boolean closed;
  private volatile Thread thread;
  private volatile long lastOverflowScan;
  private volatile String saveProblem = "";
  private volatile String scanProblem = "";
  private volatile String truncation = "";

  // Worker thread only.
  private EventSink sink;
  private Baseline baseline;
  private BaselineStore.Scope baselineScope; // null: built from nothing
  private boolean established;
  private Pass scanning;
  // A scan that builds or re-scopes the baseline silently began and did not complete: the
  // baseline in memory is neither the saved one nor one the collector was told about.
  private boolean silentUnsaved;
  private FileQuota entries; // the baseline's entries per pattern of scope
  private long savedVersion = -1; // the baseline's version when last saved or loaded
  private long nextScan;
  private boolean dirty;
  private long saveAt;
  private long lastSave;
  private int tick;
  private boolean truncationWarned;

  FimWorker(IntegritySensor.Options options, IntegritySensor.Tuning tuning, FimCounters counters) {
    this.options = options;
    this.tuning = tuning;
    this.counters = counters;
    this.store = new BaselineStore(options.stateDir());
    this.configured =
        new BaselineStore.Scope(options.paths(), options.excludes(), options.maxFileBytes());
    this.rechecks = new RecheckQueue(tuning.maxPendingRechecks(), options.recheckDelay().toNanos());
    this.scope = compileScope();
    this.throttle = new HashThrottle(options.hashBytesPerSecond(), () -> closed);
    FileStateReader reader =
        new FileStateReader(
            options.maxFileBytes(),
            throttle,
            // The handles are read through /proc/self/fd; without /proc, the JDK's calls serve.
            PathHandles.available() && Files.isDirectory(Path.of("/proc/self/fd"))
                ? new PathHandles()
                : null);
    this.reconciler = new Reconciler(reader, this::mismatch, options.maxFiles());
    this.lastOverflowScan = System.nanoTime() - tuning.overflowMinInterval().toNanos();
  }

  /**
   * Slows content hashing while {@code reduction} is active (see {@link HashThrottle#slowWhen}).
   */
  void slowHashingWhen(io.vigil.agent.sensor.Reduction reduction) {
    throttle.slowWhen(reduction);
  }

  /** Starts the thread; events go to {@code sink}. */
  void start(EventSink sink) {
    this.sink = sink;
    Thread t = new Thread(this, "vigil-fim");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** Queues a re-check of {@code path} if it is in scope; never blocks. */
  void changed(String path, Optional<ProcessRef> actor) {
    if (closed) {
      return;
    }
    if (path == null || path.isEmpty() || path.length() > 4096 || path.charAt(0) != '/') {
      counters.badPaths.incrementAndGet();
      return;
    }
    if (scope.reach(path) == FimScope.Reach.OUT) {
      return;
    }
    boolean wake = rechecks.isEmpty();
    if (!rechecks.add(path, actor == null ? Optional.empty() : actor, System.nanoTime())) {
      counters.recheckDrops.incrementAndGet();
      lost();
      return;
    }
    if (wake) {
      unpark();
    }
  }

  /** Schedules an "overflow" rescan: soon, but at most once per minimum interval. */
  void lost() {
    long now = System.nanoTime();
    long due =
        Math.max(
            now + tuning.overflowDelay().toNanos(),
            lastOverflowScan + tuning.overflowMinInterval().toNanos());
    if (overflowDue.compareAndSet(0, due == 0 ? 1 : due)) {
      unpark();
    }
  }

  /** Why the baseline cannot be kept, or "". */
  String saveProblem() {
    return saveProblem;
  }

  /** Why the last scan failed, or "". */
  String scanProblem() {
    return scanProblem;
  }

  /** Which patterns max_files left partly unmonitored at the last scan or since, or "". */
  String truncation() {
    return truncation;
  }

  /**
   * Stops the thread; waits for it up to 10 s. A baseline changed since it was saved is saved
   * first, also by a comparing scan cut short (each of its changes was reported already); a new
   * baseline or a change of scope cut short is not (its changes were not reported).
   */
  void close() {
    closed = true;
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      LockSupport.unpark(t);
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void run() {
    try {
      load();
      scan("start");
      while (!closed) {
        long now = System.nanoTime();
        long overflow = overflowDue.get();
        if (overflow != 0 && overflow - now <= 0) {
          scan("overflow");
          continue;
        }
        if (now - nextScan >= 0) {
          scan("scheduled");
          continue;
        }
        serviceRechecks(null);
        maybeSave(now);
        park(now, overflow);
      }
      saveOnClose();
    } catch (ScanCancelled e) {
      saveOnClose();
    } catch (RuntimeException | Error e) {
      log.error("integrity monitoring stopped on an unexpected failure", e);
      scanProblem = "stopped on an unexpected failure: " + e;
    }
  }

  /**
   * Saves what the collector was told and the saved baseline lacks: otherwise the next start would
   * report those changes again against a stale {@code before}. A scan that builds or re-scopes the
   * baseline silently is never saved partly done.
   */
  private void saveOnClose() {
    if (baselineScope != null && !silentUnsaved && baseline.version() != savedVersion) {
      save();
    }
  }

  private void park(long now, long overflow) {
    long wake = nextScan;
    if (overflow != 0) {
      wake = earlier(wake, overflow);
    }
    if (dirty) {
      wake = earlier(wake, saveAt);
    }
    if (!rechecks.isEmpty()) {
      wake = earlier(wake, now + Math.max(rechecks.delayNanos() / 4, 10_000_000L));
    }
    long nanos = wake - now;
    if (nanos > 0) {
      LockSupport.parkNanos(this, nanos);
    }
  }

  private static long earlier(long a, long b) {
    return a - b <= 0 ? a : b;
  }

  private void unpark() {
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  private FimScope compileScope() {
    List<Path> own = new ArrayList<>(options.ownPaths());
    own.add(0, options.stateDir());
    return FimScope.compile(options.paths(), options.excludes(), own);
  }

  private void load() {
    try {
      Files.createDirectories(options.stateDir());
      if (!Files.isWritable(options.stateDir())) {
        saveProblem = "cannot keep the integrity baseline: " + options.stateDir() + " is read-only";
      }
    } catch (IOException | RuntimeException e) {
      saveProblem = "cannot keep the integrity baseline in " + options.stateDir() + ": " + e;
    }
    try {
      Optional<BaselineStore.Stored> stored = store.load();
      if (stored.isPresent()) {
        baseline = stored.get().baseline();
        savedVersion = baseline.version();
        baselineScope = stored.get().scope();
        resync.set(stored.get().resyncPending());
        log.info(
            "integrity baseline {} loaded from {}: {} entries",
            baseline.id(),
            store.file(),
            baseline.size());
        return;
      }
      log.info("no integrity baseline in {}: building one", options.stateDir());
    } catch (IOException e) {
      log.warn("integrity baseline unusable, building a new one: {}", e.getMessage());
    }
    baseline = Baseline.fresh();
    baselineScope = null;
  }

  private void scan(String trigger) {
    long started = System.nanoTime();
    long startedWall = WallClock.nowNanos();
    overflowDue.set(0); // this scan covers whatever was lost before it started
    if (trigger.equals("overflow")) {
      lastOverflowScan = started;
    }
    FimScope s = compileScope();
    scope = s;
    Mode mode =
        established || configured.equals(baselineScope)
            ? Mode.COMPARE
            : baselineScope == null ? Mode.CREATE : Mode.ADD_SILENTLY;
    entries = FileQuota.of(baseline, s, options.maxFiles());
    Pass p = new Pass(baseline, s, mode, Optional.empty(), this::betweenScanPaths, null, entries);
    scanning = p;
    silentUnsaved = mode != Mode.COMPARE;
    try {
      reconciler.run(p, "/");
    } catch (ScanCancelled e) {
      if (p.droppedOutOfScope > 0) {
        resync.set(true); // saved on close without them, while the mirror still has them
      }
      throw e;
    } catch (RuntimeException e) {
      log.error("integrity scan failed", e);
      scanProblem = "integrity scan failed: " + e;
      nextScan = System.nanoTime() + options.rescanInterval().toNanos();
      return;
    } finally {
      scanning = null;
    }
    silentUnsaved = false; // saved below
    counters.add(p);
    String reason =
        switch (mode) {
          case CREATE -> "created";
          case ADD_SILENTLY -> "config";
          case COMPARE -> null;
        };
    boolean owed = resync.getAndSet(false);
    if (reason == null && (owed || p.droppedOutOfScope > 0 || tooManyTombstones())) {
      reason = "resync";
      counters.resyncs.incrementAndGet();
    }
    if (reason != null) {
      baseline.dropTombstones(); // the parts replace the mirror whole
      entries = FileQuota.of(baseline, s, options.maxFiles());
    }
    List<String> order = baseline.sortedPaths();
    int[] sizes = reason == null ? null : new int[order.size()];
    FimDigest d = new FimDigest();
    for (int i = 0; i < order.size(); i++) {
      FimEntry e = baseline.entry(order.get(i));
      d.add(e);
      if (sizes != null) {
        sizes[i] = BaselineParts.size(e);
      }
    }
    String digest = d.finish();
    if (reason != null) {
      sendParts(reason, order, sizes, digest);
    }
    long duration = System.nanoTime() - started;
    truncation = p.truncated ? truncationReason(p.refused()) : ""; // before the scan event says so
    emit(
        FimEvents.scan(
            FimScan.newBuilder()
                .setBaselineId(baseline.id())
                .setTrigger(trigger)
                .setFiles(p.files)
                .setBytesHashed(p.bytesHashed)
                .setChanges(p.changes)
                .setEntries(order.size())
                .setDigest(digest)
                .setStartedTimeNs(startedWall)
                .setDurationNs(duration)
                .setErrors(p.errors)
                .setTruncated(p.truncated)
                .build()));
    established = true;
    baselineScope = configured;
    counters.scans.incrementAndGet();
    counters.lastScanDurationNs = duration;
    counters.baselineEntries = baseline.size();
    warnTruncated(p);
    scanProblem =
        p.files > 0 && p.errors == p.files
            ? "no monitored path could be read (" + p.errors + " errors)"
            : "";
    save();
    nextScan = System.nanoTime() + options.rescanInterval().toNanos();
  }

  private boolean tooManyTombstones() {
    return baseline.tombstones() > Math.max(1000, baseline.size() / 4);
  }

  /** The whole baseline as parts; each part's entries are decoded only while it is built. */
  private void sendParts(String reason, List<String> order, int[] sizes, String digest) {
    List<int[]> ranges =
        BaselineParts.split(sizes, options.entriesPerPart(), BaselineParts.MAX_PART_BYTES);
    for (int i = 0; i < ranges.size(); i++) {
      int[] r = ranges.get(i);
      List<FimEntry> entries = new ArrayList<>(r[1] - r[0]);
      for (int j = r[0]; j < r[1]; j++) {
        entries.add(baseline.entry(order.get(j)));
      }
      emit(
          FimEvents.part(
              baseline.id(), reason, i + 1, ranges.size(), entries, digest, order.size()));
    }
  }

  /** Between two paths of a scan: stop when closing, and run the re-checks that are due. */
  private void betweenScanPaths() {
    checkClosed();
    if ((++tick & 63) == 0 && !rechecks.isEmpty()) {
      serviceRechecks(scanning);
    }
  }

  private void checkClosed() {
    if (closed) {
      throw new ScanCancelled();
    }
  }

  /**
   * Runs the due re-checks; inside a scan ({@code enclosing}) in the scan's mode, otherwise
   * comparing. Before the first scan completed they are dropped: that scan covers them.
   */
  private void serviceRechecks(Pass enclosing) {
    if (rechecks.isEmpty()) {
      return;
    }
    List<RecheckQueue.Due> due = rechecks.takeDue(System.nanoTime());
    if (due.isEmpty() || (enclosing == null && !established)) {
      return;
    }
    Mode mode = enclosing == null ? Mode.COMPARE : enclosing.mode;
    FimScope s = scope;
    for (RecheckQueue.Due d : due) {
      counters.rechecks.incrementAndGet();
      Pass r = new Pass(baseline, s, mode, d.actor(), this::checkClosed, enclosing, entries);
      try {
        reconciler.run(r, d.path());
      } catch (ScanCancelled e) {
        if (r.droppedOutOfScope > 0) {
          resync.set(true);
        }
        throw e;
      } catch (RuntimeException e) {
        log.warn("integrity re-check of {} failed", d.path(), e);
        counters.errors.incrementAndGet();
      }
      counters.add(r);
      if (r.droppedOutOfScope > 0) {
        resync.set(true);
      }
      if (r.truncated && enclosing == null) {
        truncation = truncationReason(r.refused()); // until a scan meets everything again
      }
      warnTruncated(r);
      if (enclosing == null && (r.changes > 0 || r.droppedOutOfScope > 0)) {
        long now = System.nanoTime();
        if (!dirty) {
          dirty = true;
          saveAt =
              Math.max(
                  now + tuning.saveDelay().toNanos(),
                  lastSave + tuning.saveMinInterval().toNanos());
        }
      }
    }
    counters.baselineEntries = baseline.size();
  }

  private void maybeSave(long now) {
    if (dirty && now - saveAt >= 0) {
      save();
    }
  }

  private void save() {
    dirty = false;
    lastSave = System.nanoTime();
    try {
      long version = baseline.version();
      store.save(baseline, baselineScope, resync.get());
      savedVersion = version;
      if (!saveProblem.isEmpty()) {
        log.info("integrity baseline saved to {} again", store.file());
      }
      saveProblem = "";
    } catch (IOException | RuntimeException e) {
      counters.saveFailures.incrementAndGet();
      String problem = "cannot keep the integrity baseline in " + options.stateDir() + ": " + e;
      if (!problem.equals(saveProblem)) {
        log.warn("{}", problem);
      }
      saveProblem = problem;
    }
  }

  private String truncationReason(List<String> patterns) {
    if (patterns.isEmpty()) {
      return "max_files (" + options.maxFiles() + ") reached: some paths are not monitored";
    }
    // Bounded: up to 256 patterns of up to 4096 characters are configurable.
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < patterns.size() && i < 3; i++) {
      String p = patterns.get(i);
      b.append(i == 0 ? "" : ", ").append(p.length() > 200 ? p.substring(0, 200) + "..." : p);
    }
    if (patterns.size() > 3) {
      b.append(" and ").append(patterns.size() - 3).append(" more patterns");
    }
    return "max_files ("
        + options.maxFiles()
        + ") reached: paths of "
        + b
        + " beyond their share are not monitored";
  }

  private void warnTruncated(Pass p) {
    if (p.truncated && !truncationWarned) {
      truncationWarned = true;
      log.warn("integrity monitoring: {}", truncationReason(p.refused()));
    }
  }

  private void mismatch(
      String path,
      io.vigil.proto.v1.FileState before,
      io.vigil.proto.v1.FileState after,
      List<String> changed,
      Optional<ProcessRef> actor) {
    emit(FimEvents.mismatch(path, before, after, changed, actor));
  }

  private void emit(Event.Builder e) {
    if (!sink.offer(e)) {
      counters.refusedEvents.incrementAndGet();
      resync.set(true); // the collector's mirror is behind now
    }
  }
}
