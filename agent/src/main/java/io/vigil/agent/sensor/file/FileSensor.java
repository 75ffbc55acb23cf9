package io.vigil.agent.sensor.file;

import io.vigil.agent.sensor.DetailLevel;
import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.agent.sensor.Reduction;
import io.vigil.agent.sensor.Sensor;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.text.TerminalText;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.SensorState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file sensor ({@code Event.sensor = "file"}): kernel notifications from a {@link
 * NotificationSource} become {@code FileEvent}s with the acting process.
 *
 * <p>At {@link #start} it resolves the configured patterns ({@link WatchPlanner}: globs expanded,
 * symbolic links resolved in the literal prefix and skipped below a glob, missing paths skipped and
 * logged once), opens the source through the {@link SourceOpener} and runs two daemon threads. The
 * reader ({@code vigil-file-reader}) polls the source and, in memory, filters ({@link PathFilter}:
 * a file-system-wide fanotify mark sees every write on the disk), coalesces ({@link Coalescer}) and
 * rate-limits ({@link RateLimiter}) into a bounded queue of events; when the queue is full an event
 * is dropped and counted ({@link ChangeCollector}). The processor ({@code vigil-file-events}) stats
 * each change and submits its hashes as soon as it dequeues it, looks up its process {@link
 * #ATTRIBUTION_DELAY} after the change and emits ({@link EventEmitter}); a third thread hashes new
 * executables ({@link HashQueue}). The stat is taken at dequeue, so a file run and deleted within
 * the delay is still described and hashed; the stat may thus be up to the delay older than the
 * event's emission. Every drop is counted exactly in events and reported in a Gap, and the {@link
 * FileChangeListener} hears of each event and each loss. An event that waits for its hashes may
 * leave after later events of the same file (a create hashed while the delete that followed is
 * already out): {@code event_time_ns} orders them.
 *
 * <p>When no source can be opened, or the source fails later, the sensor reports itself degraded
 * with the reason and the agent runs on without file events. Thread-safe.
 */
public final class FileSensor implements Sensor {
  /** Sensor name and {@code Event.sensor}. */
  public static final String NAME = "file";

  /** How long close waits for queued hashes before emitting their events without them. */
  static final long HASH_WAIT_MILLIS = 5_000;

  /** Jobs waiting for the hash thread; beyond, events go out with {@code hash_skipped = busy}. */
  static final int HASH_QUEUE_CAPACITY = 256;

  private static final Logger log = LoggerFactory.getLogger(FileSensor.class);
  private static final int BATCH = 1024;

  /** Changes stat'ed and waiting for attribution; beyond, the processor stops dequeuing. */
  private static final int MAX_WAITING = 4096;

  private static final int MAX_CONSECUTIVE_SOURCE_BUGS = 100;

  /**
   * Settings (see {@code FileSection} for the config keys). Patterns are absolute paths whose
   * components may hold {@code *} and {@code ?} ({@link PathGlob}); they are normalized here.
   *
   * @param watch trees whose changes are reported
   * @param exclude trees never reported
   * @param opened paths whose opens are reported (sensitive files such as {@code /etc/shadow})
   * @param ownPaths the agent's own directories (state, spool): never reported
   * @param coalesceWindow how long repeated notifications of one path by one process are merged
   * @param maxEventsPerSecond global event rate (and burst)
   * @param maxEventsPerPathPerWindow events per path per coalescing window
   * @param queueCapacity coalesced events queued between the reader and the processor
   * @param maxPendingPaths pending coalesced changes; beyond, the oldest leaves early
   * @param hashExecutables hash new executables (MD5, SHA-1, SHA-256)
   * @param hashMaxBytes larger files are not hashed ({@code hash_skipped = too_large})
   * @param binaryDirs directories whose new files are hashed whatever their mode
   * @param maxWatches for per-directory sources (inotify): most directories watched
   */
  public record Options(
      List<String> watch,
      List<String> exclude,
      List<String> opened,
      List<Path> ownPaths,
      Duration coalesceWindow,
      int maxEventsPerSecond,
      int maxEventsPerPathPerWindow,
      int queueCapacity,
      int maxPendingPaths,
      boolean hashExecutables,
      long hashMaxBytes,
      List<String> binaryDirs,
      int maxWatches) {

    /** Trees watched by default: persistence, binaries, credentials, staging areas. */
    public static final List<String> DEFAULT_WATCH =
        List.of(
            "/etc",
            "/usr/bin",
            "/usr/sbin",
            "/usr/local/bin",
            "/usr/local/sbin",
            "/usr/lib/systemd",
            "/var/spool/cron",
            "/root",
            "/home/*/.ssh",
            "/tmp",
            "/var/tmp",
            "/dev/shm",
            "/boot",
            "/usr/lib/*/security");

    /** Excluded by default: caches that churn without security meaning. */
    public static final List<String> DEFAULT_EXCLUDE = List.of("/root/.cache");

    /** Whose opens are reported by default: credential stores. */
    public static final List<String> DEFAULT_OPENED =
        List.of("/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/root/.ssh", "/home/*/.ssh");

    /** Binary directories by default. */
    public static final List<String> DEFAULT_BINARY_DIRS =
        List.of(
            "/usr/bin",
            "/usr/sbin",
            "/usr/local/bin",
            "/usr/local/sbin",
            "/bin",
            "/sbin",
            "/usr/lib/systemd",
            "/boot");

    public Options {
      watch = normalized(watch);
      exclude = normalized(exclude);
      opened = normalized(opened);
      binaryDirs = normalized(binaryDirs);
      ownPaths = List.copyOf(ownPaths);
      if (coalesceWindow.isNegative() || coalesceWindow.isZero()) {
        throw new IllegalArgumentException("coalesceWindow must be positive: " + coalesceWindow);
      }
      if (maxEventsPerSecond < 1
          || maxEventsPerPathPerWindow < 1
          || queueCapacity < 1
          || maxPendingPaths < 1
          || maxWatches < 1
          || hashMaxBytes < 0) {
        throw new IllegalArgumentException("limits must be positive");
      }
    }

    /** The defaults, with the agent's own directories. */
    public static Options defaults(List<Path> ownPaths) {
      return new Options(
          DEFAULT_WATCH,
          DEFAULT_EXCLUDE,
          DEFAULT_OPENED,
          ownPaths,
          Duration.ofSeconds(1),
          20_000,
          10,
          65_536,
          16_384,
          true,
          64L << 20,
          DEFAULT_BINARY_DIRS,
          65_536);
    }

    private static List<String> normalized(List<String> patterns) {
      List<String> out = new ArrayList<>(patterns.size());
      for (String p : patterns) {
        try {
          out.add(PathGlob.normalize(p));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "bad path pattern " + TerminalText.escape(p, 256) + ": " + e.getMessage(), e);
        }
      }
      return List.copyOf(out);
    }
  }

  private final Options options;
  private final SourceOpener opener;
  private final ProcessDirectory processes;
  private final FileChangeListener listener;
  private final MetricsRegistry metrics;
  private final LongSupplier clock;
  private final long attributionDelayNanos;
  private final ContentHasher hasher;
  private final int hashQueueCapacity;
  private final long tickMillis;
  private final FileCounters counters = new FileCounters();
  private final LossReports losses = new LossReports(NAME);
  private final LostSignal lost = new LostSignal();
  private final BlockingQueue<FileChange> queue;
  private final Thread reader = new Thread(this::read, "vigil-file-reader");
  private final Thread processor = new Thread(this::process, "vigil-file-events");

  private volatile SensorState state =
      SensorState.newBuilder().setName(NAME).setReason("not started").build();
  private volatile boolean stopping;
  private volatile boolean readerDone;
  private volatile NotificationSource source;
  private volatile Reduction hashing = Reduction.never();
  private ChangeCollector collector; // set before the reader starts, then owned by it
  private EventEmitter emitter; // set before the processor starts, then owned by it
  private boolean started; // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param options settings
   * @param opener opens fanotify or the inotify fallback
   * @param processes attributes pids (the process sensor's table)
   * @param listener hears of every event and every loss (integrity monitoring)
   * @param metrics where the sensor's counters are registered as {@code vigil_file_*} gauges
   */
  public FileSensor(
      Options options,
      SourceOpener opener,
      ProcessDirectory processes,
      FileChangeListener listener,
      MetricsRegistry metrics) {
    this(
        options,
        opener,
        processes,
        listener,
        metrics,
        System::nanoTime,
        ContentHasher.digests(options.hashMaxBytes()),
        HASH_QUEUE_CAPACITY,
        ATTRIBUTION_DELAY);
  }

  /**
   * How long an event waits before its process is looked up. fanotify reports a change within
   * microseconds, while the process sensor records the exec behind it from audit a little later:
   * looked up at once, the change of a program that has just started (mv, a dropper) would carry
   * the image and command line its parent had before the exec.
   */
  static final Duration ATTRIBUTION_DELAY = Duration.ofMillis(1000);

  /**
   * At most this many attribution delays for a change whose process was forked moments ago and
   * whose exec the process sensor has not recorded yet.
   */
  private static final long MAX_ATTRIBUTION_WAIT_FACTOR = 4;

  private static final long EXEC_RECHECK_NANOS = 50_000_000L;

  /**
   * For tests: {@link #FileSensor(Options, SourceOpener, ProcessDirectory, FileChangeListener,
   * MetricsRegistry, LongSupplier, ContentHasher, int, Duration)} without the attribution delay.
   */
  FileSensor(
      Options options,
      SourceOpener opener,
      ProcessDirectory processes,
      FileChangeListener listener,
      MetricsRegistry metrics,
      LongSupplier clock,
      ContentHasher hasher,
      int hashQueueCapacity) {
    this(
        options,
        opener,
        processes,
        listener,
        metrics,
        clock,
        hasher,
        hashQueueCapacity,
        Duration.ZERO);
  }

  /** For tests: a monotonic clock to drive windows and limits, and the hasher. */
  FileSensor(
      Options options,
      SourceOpener opener,
      ProcessDirectory processes,
      FileChangeListener listener,
      MetricsRegistry metrics,
      LongSupplier clock,
      ContentHasher hasher,
      int hashQueueCapacity,
      Duration attributionDelay) {
    this.options = options;
    this.attributionDelayNanos = attributionDelay.toNanos();
    this.opener = opener;
    this.processes = processes;
    this.listener = listener;
    this.metrics = metrics;
    this.clock = clock;
    this.hasher = hasher;
    this.hashQueueCapacity = hashQueueCapacity;
    // Windows end within a quarter of their length (or 100 ms).
    this.tickMillis = Math.max(10, Math.min(100, options.coalesceWindow().toMillis() / 4));
    this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
    reader.setDaemon(true);
    processor.setDaemon(true);
    counters.register(metrics);
    metrics.gauge(
        "vigil_file_queue_depth", "File events waiting for the processor", () -> queue.size());
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The sensor's counters; live. */
  public FileCounters counters() {
    return counters;
  }

  /** The source's own counters ({@link NotificationSource#counters}); empty before it is open. */
  public Map<String, Long> sourceCounters() {
    NotificationSource s = source;
    return s == null ? Map.of() : s.counters();
  }

  @Override
  public SensorState state() {
    return state;
  }

  /**
   * Registers what the sensor gives up while the agent is over its budget: hashing written
   * executables (their events say {@code hash_skipped: "budget"}). Call before {@link #start}.
   */
  public void reduceAtBudget(DetailLevel detail) {
    hashing = detail.reduction("file_hash", "file: written executables not hashed");
  }

  @Override
  public synchronized void start(EventSink sink) {
    if (started || closed) {
      return;
    }
    started = true;
    WatchPlanner.Planned planned;
    try {
      planned = WatchPlanner.plan(options);
    } catch (RuntimeException e) {
      degrade("", "could not resolve the watched paths: " + e);
      return;
    }
    SourceOpener.Opened opened;
    try {
      opened = opener.open(planned.plan());
    } catch (IOException | RuntimeException e) {
      // The message may name watched paths (directory names under /home are users' choice).
      String why = TerminalText.escape(String.valueOf(e.getMessage()), 1024);
      degrade("none", "no file notification source could be opened: " + why);
      log.warn("file sensor: no notification source ({}); running without file events", why);
      return;
    }
    NotificationSource s = opened.source();
    List<String> reasons = new ArrayList<>();
    if (opened.degraded()) {
      reasons.add(opened.reason());
    }
    if (planned.plan().trees().isEmpty()) {
      reasons.add("none of the watched paths exist");
    }
    state =
        SensorState.newBuilder()
            .setName(NAME)
            .setSource(s.name())
            .setDegraded(!reasons.isEmpty())
            .setReason(String.join("; ", reasons))
            .build();
    for (String key : s.counters().keySet()) {
      metrics.gauge(
          "vigil_file_source",
          "Counters of the file notification source",
          () -> sourceCounters().getOrDefault(key, 0L),
          "counter",
          key);
    }
    source = s;
    HashPolicy policy = new HashPolicy(planned.binaryDirs());
    long now = clock.getAsLong();
    collector =
        new ChangeCollector(options, planned.filter(), policy, counters, losses, lost, queue, now);
    emitter =
        new EventEmitter(
            options,
            s.name(),
            sink,
            processes,
            listener,
            counters,
            losses,
            lost,
            policy,
            new HashQueue(hasher, hashQueueCapacity),
            hashing);
    reader.start();
    processor.start();
  }

  /**
   * Stops both threads, emits what is pending and every Gap, closes the source; idempotent. Blocks
   * up to about {@link #HASH_WAIT_MILLIS} plus a few seconds.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      stopping = true;
      if (!started || source == null) {
        return;
      }
    }
    source.close(); // makes a blocked poll return
    join(reader, 10_000);
    if (!readerDone) {
      log.warn("file sensor: the source did not return from poll; pending changes are lost");
      readerDone = true; // the processor must finish all the same
    }
    join(processor, HASH_WAIT_MILLIS + 10_000);
  }

  /** Reader thread: poll, filter, coalesce, limit, queue; end windows between polls. */
  private void read() {
    int bugs = 0;
    try {
      while (!stopping) {
        try {
          source.poll((int) tickMillis, this::collect);
          bugs = 0;
        } catch (IOException e) {
          if (!stopping) {
            failed(e.getMessage());
          }
          return;
        } catch (RuntimeException e) {
          counters.errors.increment();
          if (++bugs >= MAX_CONSECUTIVE_SOURCE_BUGS && !stopping) {
            failed("keeps failing: " + e);
            return;
          }
        }
        tickCollector();
      }
    } finally {
      try {
        collector.finish(clock.getAsLong());
      } catch (RuntimeException e) {
        counters.errors.increment();
      }
      readerDone = true;
    }
  }

  private void collect(FileNotification n) {
    try {
      collector.accept(n, clock.getAsLong());
    } catch (RuntimeException e) {
      counters.errors.increment(); // one odd notification must not cost the source its batch
    }
  }

  private void tickCollector() {
    try {
      collector.tick(clock.getAsLong());
    } catch (RuntimeException e) {
      counters.errors.increment();
    }
  }

  /**
   * Processor thread: events out, hashes back, Gaps, until the reader is done and drained. A change
   * is stat'ed and its hash job submitted as soon as it is dequeued; it then waits in {@code
   * waiting} (queue order) until {@link #ATTRIBUTION_DELAY} old, and only then is its process
   * looked up and its event emitted. Events leave in queue order, except those waiting for hashes.
   */
  private void process() {
    List<FileChange> batch = new ArrayList<>(BATCH);
    ArrayDeque<EventEmitter.Prepared> waiting = new ArrayDeque<>();
    try {
      while (!(stopping && readerDone && queue.isEmpty() && waiting.isEmpty())) {
        long waitNanos = waiting.isEmpty() ? Long.MAX_VALUE : untilDue(waiting.peekFirst().change);
        long pollMillis =
            waitNanos >= tickMillis * 1_000_000L
                ? tickMillis
                : (waitNanos + 999_999) / 1_000_000; // round up: no busy wait
        if (waiting.size() < MAX_WAITING) {
          FileChange first =
              pollMillis > 0 ? queue.poll(pollMillis, TimeUnit.MILLISECONDS) : queue.poll();
          if (first != null) {
            batch.add(first);
            queue.drainTo(batch, Math.min(BATCH, MAX_WAITING - waiting.size()) - 1);
            for (FileChange c : batch) {
              prepare(c, waiting);
            }
            batch.clear();
          }
        } else if (waitNanos > 0) {
          TimeUnit.NANOSECONDS.sleep(Math.min(waitNanos, attributionDelayNanos));
        }
        while (!waiting.isEmpty() && untilDue(waiting.peekFirst().change) <= 0) {
          attribute(waiting.pollFirst());
        }
        housekeeping(false);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (EventEmitter.Prepared p = waiting.pollFirst(); p != null; p = waiting.pollFirst()) {
      attribute(p);
    }
    for (FileChange c = queue.poll(); c != null; c = queue.poll()) {
      step(c);
    }
    housekeeping(true);
  }

  /**
   * How long {@code c} must still wait before its process is looked up, so that it is {@link
   * #ATTRIBUTION_DELAY} old (by its wall-clock time, the only one it carries) and the process
   * sensor has recorded the exec behind it; 0 when due. Not when stopping: the queue drains.
   */
  private long untilDue(FileChange c) {
    if (attributionDelayNanos <= 0 || c.pid() <= 0 || stopping) {
      return 0;
    }
    long age = WallClock.nowNanos() - c.lastTimeNs();
    long wait = attributionDelayNanos - age;
    if (wait > 0) {
      return Math.min(wait, attributionDelayNanos);
    }
    // A process forked moments ago that the directory has seen no exec of yet: on a busy host
    // audit can report the exec (of chown, say) later than the delay. Wait for it a little more,
    // re-checking; a process that forks and never execs is past FORK_RECENT soon and goes as is.
    long extra = MAX_ATTRIBUTION_WAIT_FACTOR * attributionDelayNanos - age;
    if (extra > 0 && execPending(c.pid())) {
      return Math.min(extra, EXEC_RECHECK_NANOS);
    }
    return 0;
  }

  private boolean execPending(int pid) {
    try {
      return processes.execPending(pid, 3 * attributionDelayNanos);
    } catch (RuntimeException e) {
      counters.errors.increment();
      return false;
    }
  }

  private void prepare(FileChange c, ArrayDeque<EventEmitter.Prepared> waiting) {
    try {
      waiting.addLast(emitter.prepare(c, clock.getAsLong()));
    } catch (RuntimeException e) {
      counters.errors.increment();
    }
  }

  private void attribute(EventEmitter.Prepared p) {
    try {
      emitter.attribute(p);
    } catch (RuntimeException e) {
      counters.errors.increment();
    }
  }

  private void step(FileChange c) {
    try {
      emitter.accept(c, clock.getAsLong());
    } catch (RuntimeException e) {
      counters.errors.increment();
    }
  }

  private void housekeeping(boolean closing) {
    try {
      emitter.housekeeping(clock.getAsLong(), closing);
    } catch (RuntimeException e) {
      counters.errors.increment();
      log.warn("file sensor: housekeeping failed", e);
    }
  }

  private void failed(String why) {
    SensorState s = state;
    String reason =
        s.getSource()
            + " failed: "
            + TerminalText.escape(String.valueOf(why), 1024)
            + "; no file events until the agent restarts";
    log.warn("file sensor: {}", reason);
    degrade(s.getSource(), reason);
  }

  private void degrade(String sourceName, String reason) {
    state =
        SensorState.newBuilder()
            .setName(NAME)
            .setSource(sourceName)
            .setDegraded(true)
            .setReason(reason)
            .build();
  }

  private static void join(Thread t, long millis) {
    try {
      t.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
