package io.vigil.collector.ingest;

import io.vigil.collector.detection.Detection;
import io.vigil.collector.detection.EventDetector;
import io.vigil.collector.fim.FimMirror;
import io.vigil.collector.fim.FimOptions;
import io.vigil.collector.health.HealthAlerts;
import io.vigil.collector.health.HealthOptions;
import io.vigil.collector.output.EventOutput;
import io.vigil.collector.output.JsonlAlertOutput;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.NewAlert;
import io.vigil.collector.store.StoreException;
import io.vigil.common.lifecycle.EssentialThread;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Hello;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Stores what agents send, exactly once, through one writer thread.
 *
 * <p>Every call queues a task; the writer gathers queued tasks of any agents into one transaction
 * and completes their futures only after it committed, so a completed {@link #submit} future is a
 * watermark the collector may acknowledge: every seq at or below it is stored or dead-lettered and
 * survives a kill -9 of the collector. Futures complete on the writer thread: callbacks must be
 * quick and non-blocking (or use the {@code *Async} variants).
 *
 * <p>Each stored event is evaluated by the {@link EventDetector} on the submitting thread and goes
 * through the {@link io.vigil.collector.detection.AlertStage} on the writer; its alerts (and what
 * correlations raise with it) commit in the event's own transaction, so an event and its alerts are
 * stored together or not at all, and a re-sent event adds no second alert. Integrity events also
 * update the agent's baseline mirror ({@link FimMirror}) in that transaction.
 *
 * <p>Thread-safe. {@link #openStream} blocks until its commit; the other methods do not block, but
 * {@link #submit} parses and evaluates the batch's events on the calling thread. The service does
 * not own the store (the caller closes it after this service) but owns the outputs, which {@link
 * #close} closes.
 */
public final class IngestService implements AutoCloseable {
  /**
   * Tasks for the writer, in order, except command results, which go to the front: they are a lane
   * of their own, so an isolate's result does not wait behind a telemetry backlog (a stream's
   * results always follow its Hello, which was committed before its Welcome).
   */
  private final LinkedBlockingDeque<WriteTask> queue = new LinkedBlockingDeque<>();

  private final IngestOptions options;
  private final IngestMetrics metrics;
  private final List<EventOutput> outputs;
  private final Detection detection;
  private final List<JsonlAlertOutput> alertOutputs;
  private final Thread writer;
  private final IngestWriter writerBody;
  private final Object lifecycle = new Object();
  private boolean closed;
  private volatile BatchGate gate = BatchGate.OPEN;

  /** An ingest service without detection: events are stored without alerts. */
  public IngestService(
      EventStore store, IngestOptions options, MetricsRegistry metrics, List<EventOutput> outputs) {
    this(store, options, metrics, outputs, EventDetector.none());
  }

  /** Sigma rules only, alerts stored as given (tests). */
  public IngestService(
      EventStore store,
      IngestOptions options,
      MetricsRegistry metrics,
      List<EventOutput> outputs,
      EventDetector detector) {
    this(store, options, metrics, outputs, Detection.of(detector, metrics), List.of());
  }

  /**
   * @param detection run on every stored event; the service does not close it
   * @param alertOutputs where raised alerts are written after commit; closed with the service
   */
  public IngestService(
      EventStore store,
      IngestOptions options,
      MetricsRegistry metrics,
      List<EventOutput> outputs,
      Detection detection,
      List<JsonlAlertOutput> alertOutputs) {
    this(store, options, metrics, outputs, detection, alertOutputs, FimOptions.defaults());
  }

  /**
   * @param fimOptions bounds of the integrity mirror each agent's integrity events keep (whether
   *     detection is on or not: the mirror must see every change to stay one)
   */
  public IngestService(
      EventStore store,
      IngestOptions options,
      MetricsRegistry metrics,
      List<EventOutput> outputs,
      Detection detection,
      List<JsonlAlertOutput> alertOutputs,
      FimOptions fimOptions) {
    this(
        store,
        options,
        metrics,
        outputs,
        detection,
        alertOutputs,
        fimOptions,
        HealthOptions.defaults(),
        Set::of);
  }

  /**
   * @param health thresholds of the fleet health alerts ({@link HealthApplier})
   * @param connectedAgents the ids of the agents connected now: a connected agent is never silent
   */
  public IngestService(
      EventStore store,
      IngestOptions options,
      MetricsRegistry metrics,
      List<EventOutput> outputs,
      Detection detection,
      List<JsonlAlertOutput> alertOutputs,
      FimOptions fimOptions,
      HealthOptions health,
      Supplier<Set<String>> connectedAgents) {
    this.options = options;
    this.metrics = new IngestMetrics(metrics);
    this.outputs = List.copyOf(outputs);
    this.detection = detection;
    this.alertOutputs = List.copyOf(alertOutputs);
    // Before the writer starts: the stage reads the store to rebuild correlation state.
    detection.stage().attach(store);
    FimMirror fim = new FimMirror(fimOptions, metrics);
    fim.attach(store);
    this.writerBody =
        new IngestWriter(
            store,
            queue,
            options,
            this.metrics,
            this.outputs,
            detection.stage(),
            fim,
            this.alertOutputs,
            health,
            connectedAgents);
    this.writer = EssentialThread.create(writerBody, "ingest-writer");
    writer.start();
  }

  /**
   * Records an agent's Hello (host info, version, last seen, clock skew = {@code receiveTimeNs -
   * hello.sent_time_ns}) and its stream. The future completes, on the writer thread, with the
   * stream's committed watermark (0 for a new epoch) once committed, behind any batches queued
   * before it. Never blocks the caller. Counts against {@link IngestOptions#maxQueuedBatches} like
   * a batch, so that streams opened faster than the writer commits cannot queue Hellos without
   * bound; a full queue fails the future with {@link IngestBusyException}.
   *
   * @throws IllegalArgumentException if the agent id or epoch is not a short identifier, or the
   *     agent id is the reserved {@code collector}
   * @throws IllegalStateException if the service is closed
   */
  public CompletableFuture<Long> openStream(
      String agentId, String epoch, Hello hello, long receiveTimeNs) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    StreamKey.requireAgentId(agentId);
    StreamKey key = new StreamKey(agentId, epoch);
    try {
      enqueueBounded(new WriteTask.OpenStream(key, hello, receiveTimeNs, f));
    } catch (IngestBusyException e) {
      f.completeExceptionally(e);
      return f;
    }
    detection.hostnames().put(agentId, hello.getHost().getHostname());
    return f;
  }

  /**
   * Queues a batch ({@code events[i]} has seq {@code first_seq + i}). The future completes with the
   * stream's watermark once the batch's transaction committed, or exceptionally with {@link
   * IngestBusyException} (queue full), {@link IllegalArgumentException} (bad ids or seq range),
   * {@link IllegalStateException} (closed) or {@link StoreException} (commit failed).
   */
  public CompletableFuture<Long> submit(
      String agentId, String epoch, EventBatch batch, long receiveTimeNs) {
    CompletableFuture<Long> f = new CompletableFuture<>();
    Optional<IngestRefusedException> refused = gate.refusal();
    if (refused.isPresent()) {
      metrics.refused(refused.get().reason()).inc();
      f.completeExceptionally(refused.get());
      return f;
    }
    try {
      StreamKey.requireAgentId(agentId);
      StreamKey key = new StreamKey(agentId, epoch);
      int n = batch.getEventsCount();
      long first = batch.getFirstSeq();
      if (n > 0 && (first < 1 || first > Long.MAX_VALUE - n + 1)) {
        throw new IllegalArgumentException(
            "batch first_seq " + Long.toUnsignedString(first) + " is out of range");
      }
      // Parsed and evaluated here, on the caller's thread and outside any lock; events the
      // watermark turns out to cover (a re-send after reconnect) are evaluated for nothing, which
      // is rare.
      EventCheck.Outcome[] checks =
          EventCheck.checkAll(
              batch,
              options.maxEventBytes(),
              !outputs.isEmpty(),
              detection.detector(),
              agentId,
              detection.hostnames().get(agentId));
      enqueueBounded(new WriteTask.Batch(key, batch, checks, receiveTimeNs, f));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  /**
   * Makes {@link #submit} ask {@code gate} before taking a batch (default: {@link BatchGate#OPEN}).
   * A refused batch fails its future with the gate's {@link IngestRefusedException} at once.
   */
  public void gateBatches(BatchGate gate) {
    this.gate = java.util.Objects.requireNonNull(gate);
  }

  /**
   * Makes the writer call {@code listener} after each commit that stored alerts (after the alert
   * outputs), e.g. to wake the alert sinks (replacing any earlier listener). It runs on the writer
   * thread, so it must return at once and not block.
   */
  public void onAlertsStored(Runnable listener) {
    writerBody.alertsStored = java.util.Objects.requireNonNull(listener);
  }

  /**
   * Queues command results ahead of queued batches, never refused for a full queue (see {@link
   * WriteTask.CommandResults#bounded}). The future completes, after commit, with the ids to
   * acknowledge: all of them, duplicates included, so the agent stops re-sending. Fails like {@link
   * #submit} otherwise.
   */
  public CompletableFuture<List<String>> submitCommandResults(
      String agentId, List<CommandResult> results, long receiveTimeNs) {
    CompletableFuture<List<String>> f = new CompletableFuture<>();
    try {
      StreamKey.requireAgentId(agentId);
      enqueueFirst(new WriteTask.CommandResults(agentId, List.copyOf(results), receiveTimeNs, f));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  /**
   * Runs {@code work} on the writer thread, in a transaction of its own between batches (store
   * maintenance: retention's deletes). The future completes with its result after the commit, or
   * exceptionally when it threw (rolled back) or the service is closed. Keep each piece of work
   * short: batches wait behind it.
   */
  public <T> CompletableFuture<T> maintain(Function<EventStore, T> work) {
    return enqueued(f -> new WriteTask.Maintenance<>(work, f));
  }

  /**
   * Raises an alert about the collector itself (agent id {@value HealthAlerts#COLLECTOR}) the way
   * the health alerts are raised: on the writer thread through the alert stage (allow-list,
   * suppression by {@link NewAlert#dedupeKey()}, the alert outputs, the stored-alerts metric), in a
   * transaction of its own. Completes after the commit with the id of the alert it stored or was
   * folded into, 0 when the allow-list allowed it.
   */
  public CompletableFuture<Long> raiseCollectorAlert(NewAlert alert) {
    return enqueued(f -> new WriteTask.CollectorAlert(alert, f));
  }

  /**
   * Appends a note by {@value HealthAlerts#COLLECTOR} to alert {@code alertId}'s history (the alert
   * stays open), on the writer thread.
   */
  public CompletableFuture<Void> noteCollectorAlert(long alertId, String note) {
    long now = System.currentTimeMillis() * 1_000_000L;
    return maintain(
        store -> {
          store.alerts().note(alertId, HealthAlerts.COLLECTOR, note, now);
          return null;
        });
  }

  /**
   * Looks for unexplained holes past the grace period now (the writer also does so every {@link
   * IngestOptions#holeCheckInterval}); completes with the number newly reported.
   */
  public CompletableFuture<Integer> checkContinuity() {
    return enqueued(WriteTask.ContinuityCheck::new);
  }

  /**
   * Declares silent, now, the agents neither connected nor heard from for {@code
   * health.silent_after} (the writer also checks every {@code health.check_interval}); completes
   * with the number newly declared silent.
   */
  public CompletableFuture<Integer> checkSilence() {
    return enqueued(WriteTask.SilenceCheck::new);
  }

  /** Stops accepting work, commits everything queued, stops the writer and closes the outputs. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(new WriteTask.Stop());
    }
    boolean interrupted = false;
    while (writer.isAlive()) {
      try {
        writer.join();
      } catch (InterruptedException e) {
        interrupted = true; // finish the drain: abandoning it would strand futures
      }
    }
    RuntimeException failure = null;
    for (EventOutput out : outputs) {
      try {
        out.close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    for (JsonlAlertOutput out : alertOutputs) {
      try {
        out.close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void enqueueBounded(WriteTask task) {
    synchronized (lifecycle) {
      requireOpen();
      if (metrics.queuedBatches.incrementAndGet() > options.maxQueuedBatches()) {
        metrics.queuedBatches.decrementAndGet();
        throw new IngestBusyException(
            options.maxQueuedBatches() + " batches already wait for the ingest writer");
      }
      queue.add(task);
    }
  }

  /** Ahead of everything queued, unbounded (command results: see {@link WriteTask#bounded}). */
  private void enqueueFirst(WriteTask task) {
    synchronized (lifecycle) {
      requireOpen();
      queue.addFirst(task);
    }
  }

  /**
   * Queues the task {@code make} builds around a new future; failing to queue fails that future.
   */
  private <T> CompletableFuture<T> enqueued(Function<CompletableFuture<T>, WriteTask> make) {
    CompletableFuture<T> f = new CompletableFuture<>();
    try {
      enqueue(make.apply(f));
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
    return f;
  }

  private void enqueue(WriteTask task) {
    synchronized (lifecycle) {
      requireOpen();
      queue.add(task);
    }
  }

  private void requireOpen() {
    if (closed || !writer.isAlive()) {
      throw new IllegalStateException("ingest service closed or its writer stopped");
    }
  }
}
