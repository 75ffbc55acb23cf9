package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.DetailLevel;
import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.agent.sensor.Sensor;
import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditFeed;
import io.vigil.agent.sensor.process.audit.AuditListener;
import io.vigil.agent.sensor.process.audit.ExecAssembly;
import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.agent.sensor.process.procfs.ExecutableHashes;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.agent.sensor.process.table.ProcessEntry;
import io.vigil.agent.sensor.process.table.ProcessTable;
import io.vigil.agent.sensor.process.table.UserNames;
import io.vigil.common.proc.ProcessSelfStats;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.SensorState;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process sensor: fork/exec/exit from the proc connector (or {@code /proc} polling without it),
 * exec arguments and everything else audit reports from an {@link AuditFeed}, all joined in one
 * process table that other sensors read through {@link #directory()}.
 *
 * <p>Execs come from exactly one source at a time: audit while the feed is started and not
 * degraded, otherwise {@code /proc} read at the proc connector's exec (or found by polling). The
 * choice is made per exec, so when the feed's reader dies (the feed turns degraded) the proc
 * connector takes over from the next exec on. One source keeps entity ids consistent: each exec
 * advances a process's exec generation once. Audit execs still queued when the feed turns degraded
 * are not emitted: their proc connector execs may already have been.
 *
 * <p>Threads: {@code vigil-proc-connector} (or {@code vigil-proc-poll}) reads fork/exec/exit,
 * {@code vigil-proc-audit} builds events from audit events (hashing and {@code /proc} reads stay
 * off the feed's reader thread), {@code vigil-proc-exit} emits exits after the settle delay. {@link
 * #state()} and {@link #directory()} are thread-safe; {@link #addAuditListener} before {@link
 * #start}.
 */
public final class ProcessSensor implements Sensor, AuditListener {
  /** Audit events waiting for the audit thread, at most; see also {@link #AUDIT_QUEUE_BYTES}. */
  static final int AUDIT_QUEUE = 4_096;

  /** Record bytes waiting for the audit thread, at most: a bounded share of a 64 MiB heap. */
  static final long AUDIT_QUEUE_BYTES = 8L << 20;

  private static final String SHORT_LIVED = "; arguments of short-lived processes may be missed";

  private final ProcessSensorOptions options;
  private final Optional<AuditFeed> feed;
  private final ProcessSources sources;
  private final ProcessTable table;
  private final ProcessTracker tracker;
  private final ProcReader reader;
  private final AuditExecs auditExecs;
  private final SnapshotExecs snapshotExecs;
  private final AuditMessages messages;
  private final ExitSettler exits;
  private final ProcPoller poller;
  private final ExecutableHashes hashes;
  private final long agentPid = ProcessHandle.current().pid();
  private final List<AuditListener> listeners = new CopyOnWriteArrayList<>();
  private final BoundedAuditQueue auditQueue =
      new BoundedAuditQueue(AUDIT_QUEUE, AUDIT_QUEUE_BYTES);
  private final AtomicLong incompleteExecs = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();

  private volatile EventSink sink;
  private volatile boolean stopping;
  private volatile boolean auditStarted;
  private volatile String auditFailure = "";
  private volatile String procFailure = "";
  private volatile boolean polling;
  private Thread procThread;
  private Thread auditThread;

  /** Reads the real host (see {@link ProcessSources#system()}). */
  public ProcessSensor(ProcessSensorOptions options, Optional<AuditFeed> feed) throws IOException {
    this(options, feed, ProcessSources.system());
  }

  /**
   * @param feed the audit source, started (and closed) by this sensor; empty for none
   * @param sources where {@code /proc}, passwd/group and the proc events come from
   * @throws IOException when the boot id or boot time cannot be read from {@code procRoot}
   */
  public ProcessSensor(
      ProcessSensorOptions options, Optional<AuditFeed> feed, ProcessSources sources)
      throws IOException {
    this.options = options;
    this.feed = feed;
    this.sources = sources;
    long hz = ProcessSelfStats.clockTicks();
    BootTime boot = BootTime.read(sources.procRoot(), hz);
    this.reader = new ProcReader(sources.procRoot(), options.maxArgvBytes());
    UserNames names = new UserNames(sources.passwd(), sources.group(), System::nanoTime);
    this.table =
        new ProcessTable(
            options.tableMaxEntries(),
            ProcessTable.DEFAULT_EXITED_RETENTION,
            System::nanoTime,
            this::loadMissing);
    this.tracker = new ProcessTracker(table, boot, names, hz);
    this.hashes =
        new ExecutableHashes(options.hashMaxFileBytes(), ExecutableHashes.DEFAULT_CACHE_ENTRIES);
    ExecutableFacts facts = new ExecutableFacts(sources.procRoot(), hashes);
    this.auditExecs =
        new AuditExecs(new ExecAssembly(options.maxArgvBytes()), tracker, reader, facts);
    this.snapshotExecs = new SnapshotExecs(tracker, reader, facts);
    this.messages = new AuditMessages(table);
    this.exits = new ExitSettler(table, options.exitSettle());
    this.poller = new ProcPoller(sources.procRoot(), reader, tracker, snapshotExecs, exits);
  }

  @Override
  public String name() {
    return SensorEvents.SENSOR;
  }

  /** The process table: entity id, image, user of any pid, for other sensors. */
  public ProcessDirectory directory() {
    return table;
  }

  /**
   * Another sensor (e.g. connections) receives every audit event and loss too, on this sensor's
   * audit thread after this sensor handled the event (losses on the feed's thread); events this
   * sensor's full queue dropped are not forwarded (the Gap covers them). A listener that throws is
   * counted and does not affect the others. Call before {@link #start}.
   */
  public void addAuditListener(AuditListener listener) {
    listeners.add(listener);
  }

  /**
   * Registers what the sensor gives up while the agent is over its budget: hashing executables it
   * has not hashed before (exec events then carry no hashes). Call before {@link #start}.
   */
  public void reduceAtBudget(DetailLevel detail) {
    hashes.skipUncachedWhen(
        detail.reduction(
            "process_exec_hash", "process: executables not hashed unless already in the cache"));
  }

  @Override
  public synchronized void start(EventSink sink) {
    if (this.sink != null) {
      throw new IllegalStateException("process sensor already started");
    }
    this.sink = sink;
    exits.start(sink);
    try {
      poller.seed();
    } catch (IOException e) {
      errors.incrementAndGet(); // an empty table still works: parents resolve from /proc on demand
    }
    startAudit();
    ProcEventSource source = null;
    try {
      source = sources.procEvents().open();
    } catch (IOException e) {
      procFailure = String.valueOf(e.getMessage());
    }
    ProcEventSource opened = source;
    polling = opened == null;
    procThread =
        new Thread(
            () -> readProcEvents(opened), polling ? "vigil-proc-poll" : "vigil-proc-connector");
    procThread.setDaemon(true);
    procThread.start();
  }

  private void startAudit() {
    if (!options.auditEnabled() || feed.isEmpty()) {
      auditFailure = options.auditEnabled() ? "no audit feed" : "audit disabled by configuration";
      return;
    }
    try {
      feed.get().start(this);
      auditStarted = true;
    } catch (IOException e) {
      auditFailure = String.valueOf(e.getMessage());
      return;
    }
    auditThread = new Thread(this::drainAudit, "vigil-proc-audit");
    auditThread.setDaemon(true);
    auditThread.start();
  }

  @Override
  public SensorState state() {
    SensorState.Builder s = SensorState.newBuilder().setName(name());
    if (sink == null) {
      return s.setSource("not started").setDegraded(true).setReason("not started").build();
    }
    String audit = auditStarted ? feed.get().source() : "";
    boolean execsFromAudit = execsFromAudit();
    if (polling) {
      String every =
          options.pollInterval().toMillis() % 1000 == 0
              ? options.pollInterval().toSeconds() + "s"
              : options.pollInterval().toMillis() + "ms";
      String reason = procFailure;
      if (!execsFromAudit) {
        reason += auditStarted ? "; " + feed.get().reason() : "; audit: " + auditFailure;
      }
      return s.setSource("/proc polling every " + every + (execsFromAudit ? " + " + audit : ""))
          .setDegraded(true)
          .setReason(reason)
          .build();
    }
    if (execsFromAudit) {
      AuditFeed f = feed.get();
      return s.setSource(audit + " + proc connector")
          .setDegraded(f.degraded())
          .setReason(f.reason())
          .build();
    }
    String why = auditStarted ? feed.get().reason() : auditFailure;
    return s.setSource("proc connector + /proc" + (auditStarted ? " + " + audit : ""))
        .setDegraded(true)
        .setReason("proc connector only: " + why + SHORT_LIVED)
        .build();
  }

  @Override
  public void onAuditEvent(AuditEvent event) {
    auditQueue.offer(event); // a refused event is counted there and reported as a Gap
  }

  /**
   * Hands an event on to the other listeners, on the audit thread after this sensor handled it, so
   * that a connect right after an exec is attributed to the new image, not to the forking parent.
   */
  private void forward(AuditEvent event) {
    for (AuditListener l : listeners) {
      try {
        l.onAuditEvent(event);
      } catch (RuntimeException e) {
        errors.incrementAndGet();
      }
    }
  }

  @Override
  public void onAuditLoss(long count, String reason) {
    EventSink s = sink;
    if (s != null) {
      s.offer(SensorEvents.sourceGap(WallClock.nowNanos(), "audit", count));
    }
    for (AuditListener l : listeners) {
      try {
        l.onAuditLoss(count, reason);
      } catch (RuntimeException e) {
        errors.incrementAndGet();
      }
    }
  }

  /**
   * Why the audit feed is not in use, or empty when it started (possibly degraded: see {@link
   * #state()}). Meaningful after {@link #start}.
   */
  public Optional<String> auditProblem() {
    return auditStarted ? Optional.empty() : Optional.of(auditFailure);
  }

  /** Proc connector execs that found the process gone and carry only what the table knew. */
  public long incompleteExecs() {
    return incompleteExecs.get();
  }

  /**
   * Audit events dropped because this sensor's queue was full, by count or by bytes (each also
   * reported as a Gap).
   */
  public long auditQueueDrops() {
    return auditQueue.drops();
  }

  /** Processes the bounded table forgot to make room (exited ones first, then the oldest). */
  public long tableEvictions() {
    return table.evicted();
  }

  /** Exits emitted without waiting for their exec record because too many exits waited. */
  public long unsettledExits() {
    return exits.unsettled();
  }

  /** Events that failed to build or listeners that threw; each is skipped, nothing else stops. */
  public long errors() {
    return errors.get();
  }

  private void readProcEvents(ProcEventSource source) {
    if (source != null) {
      ProcConnectorEvents handler =
          new ProcConnectorEvents(
              tracker, reader, snapshotExecs, exits, this::execsFromAudit, incompleteExecs);
      try (source) {
        while (!stopping) {
          ProcEventSource.Batch b = source.next();
          if (b.lost()) {
            sink.offer(SensorEvents.sourceGap(WallClock.nowNanos(), "proc_connector", 0));
          }
          for (var e : b.events()) {
            try {
              handler.handle(e, sink);
            } catch (RuntimeException ex) {
              errors.incrementAndGet();
            }
          }
        }
        return;
      } catch (IOException e) {
        procFailure = "proc connector failed: " + e.getMessage();
        polling = true; // the state now says so; keep observing by polling
      }
    }
    pollUntilStopped();
  }

  private void pollUntilStopped() {
    long intervalNanos = options.pollInterval().toNanos();
    while (!stopping) {
      try {
        poller.poll(sink, !execsFromAudit());
      } catch (IOException | RuntimeException e) {
        errors.incrementAndGet();
      }
      if (!sleep(intervalNanos)) {
        return;
      }
    }
  }

  private void drainAudit() {
    while (!stopping || !auditQueue.isEmpty()) {
      AuditEvent event;
      try {
        event = auditQueue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      reportQueueDrops();
      if (event == null) {
        continue;
      }
      try {
        handleAudit(event);
      } catch (RuntimeException e) {
        errors.incrementAndGet();
      }
      forward(event);
    }
  }

  /** Builds and emits the event for one audit event; package-private for tests. */
  void handleAudit(AuditEvent event) {
    switch (AuditRouting.route(event, agentPid)) {
      case EXEC:
        if (execsFromAudit()) {
          auditExecs
              .build(event)
              .ifPresent(x -> sink.offer(SensorEvents.exec(event.timestampNs(), x)));
        }
        break;
      case MESSAGE:
        sink.offer(SensorEvents.audit(event.timestampNs(), messages.build(event)));
        break;
      default:
        break; // the network sensor's, or the agent's own
    }
  }

  private long reportedDrops;

  private void reportQueueDrops() {
    long drops = auditQueue.drops();
    if (drops > reportedDrops) {
      sink.offer(
          SensorEvents.sourceGap(
              WallClock.nowNanos(), "process_audit_queue", drops - reportedDrops));
      reportedDrops = drops;
    }
  }

  /** True while audit reports execs: the feed started and is not degraded (its reader runs). */
  private boolean execsFromAudit() {
    return auditStarted && !feed.get().degraded();
  }

  /** A pid the table does not know, read from /proc and added as a running process. */
  private Optional<ProcessEntry> loadMissing(int pid) {
    return reader.read(pid).map(s -> tracker.entryFor(s, s.argv().commandLine()));
  }

  /** False when interrupted: the thread is asked to end. */
  private static boolean sleep(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    stopping = true;
    if (auditStarted) {
      feed.get().close();
    }
    join(procThread);
    join(auditThread);
    exits.close();
  }

  private static void join(Thread t) {
    if (t == null) {
      return;
    }
    try {
      t.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
