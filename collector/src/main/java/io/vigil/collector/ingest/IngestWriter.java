package io.vigil.collector.ingest;

import io.vigil.collector.detection.AlertStage;
import io.vigil.collector.fim.FimMirror;
import io.vigil.collector.health.HealthOptions;
import io.vigil.collector.output.EventOutput;
import io.vigil.collector.output.JsonlAlertOutput;
import io.vigil.collector.output.RaisedAlert;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.HoleRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of the single writer thread: takes queued tasks, gathers as many as the per-transaction
 * bounds allow into one transaction (group commit across agents), commits, then runs the
 * after-commit work, calls the outputs and completes the tasks' futures. A failed transaction is
 * rolled back and fails every task in it; the writer carries on with the next.
 */
final class IngestWriter implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(IngestWriter.class);

  private final EventStore store;
  private final BlockingQueue<WriteTask> queue;
  private final IngestOptions options;
  private final IngestMetrics metrics;
  private final List<EventOutput> outputs;
  private final StreamCache streams;

  /** Streams with a rolled-back batch: their later batches are refused until they reconnect. */
  private final java.util.Set<StreamKey> failedStreams = new java.util.HashSet<>();

  private final ContinuityTracker continuity;
  private final BatchApplier batches;
  private final ProcessActivity activity = new ProcessActivity();
  private final AgentApplier agents;
  private final AlertStage alerts;
  private final FimMirror fim;
  private final List<JsonlAlertOutput> alertOutputs;
  private final HealthApplier health;
  private final HealthOptions healthOptions;

  /** Told, on this thread after the outputs, that a commit stored alerts (see IngestService). */
  volatile Runnable alertsStored = () -> {};

  IngestWriter(
      EventStore store,
      BlockingQueue<WriteTask> queue,
      IngestOptions options,
      IngestMetrics metrics,
      List<EventOutput> outputs,
      AlertStage alerts,
      FimMirror fim,
      List<JsonlAlertOutput> alertOutputs,
      HealthOptions healthOptions,
      Supplier<Set<String>> connected) {
    this.store = store;
    this.queue = queue;
    this.options = options;
    this.metrics = metrics;
    this.outputs = outputs;
    this.alerts = alerts;
    this.fim = fim;
    this.alertOutputs = alertOutputs;
    this.streams = new StreamCache(store.events());
    this.continuity =
        new ContinuityTracker(store.continuity(), metrics, options.holeGrace().toNanos());
    this.healthOptions = healthOptions;
    this.health =
        new HealthApplier(
            store,
            streams,
            alerts,
            metrics,
            healthOptions,
            connected,
            System.currentTimeMillis() * 1_000_000L);
    this.batches =
        new BatchApplier(
            store,
            streams,
            continuity,
            metrics,
            options.maxEventBytes(),
            !outputs.isEmpty(),
            alerts,
            fim,
            health,
            activity);
    this.agents = new AgentApplier(store.agents(), streams, metrics);
  }

  @Override
  public void run() {
    try {
      loop();
    } finally {
      // Normally empty (Stop is last); after an Error or interrupt nothing may be left waiting.
      IllegalStateException stopped = new IllegalStateException("ingest writer stopped");
      WriteTask t;
      while ((t = queue.poll()) != null) {
        t.fail(stopped);
      }
    }
  }

  private void loop() {
    continuity.refreshGauge();
    store.commit(); // ends the read transaction the count opened
    long intervalNs = options.holeCheckInterval().toNanos();
    long nextCheck = System.nanoTime() + intervalNs;
    long healthNs = healthOptions.checkInterval().toNanos();
    long nextHealth = System.nanoTime() + healthNs;
    while (true) {
      WriteTask first;
      try {
        long wait = Math.min(nextCheck, nextHealth) - System.nanoTime();
        first = queue.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        log.warn("ingest writer interrupted; stopping without draining {} tasks", queue.size());
        Thread.currentThread().interrupt();
        return;
      }
      if (System.nanoTime() - nextCheck >= 0) {
        execute(List.of(new WriteTask.ContinuityCheck(new CompletableFuture<>())));
        nextCheck = System.nanoTime() + intervalNs;
      }
      if (System.nanoTime() - nextHealth >= 0) {
        execute(List.of(new WriteTask.SilenceCheck(new CompletableFuture<>())));
        nextHealth = System.nanoTime() + healthNs;
      }
      if (first instanceof WriteTask.Stop) {
        return;
      }
      if (first != null) {
        execute(gather(first));
      }
    }
  }

  private List<WriteTask> gather(WriteTask first) {
    List<WriteTask> group = new ArrayList<>();
    group.add(taken(first));
    long events = first.events();
    long bytes = first.bytes();
    WriteTask next;
    // Command results (queued at the front) commit on their own, not with the batches behind
    // them: an isolate's result is visible to the operator without waiting for a backlog.
    boolean results = first instanceof WriteTask.CommandResults;
    // Maintenance commits alone too: its failure must not fail batches, nor theirs it.
    boolean alone = first instanceof WriteTask.Maintenance;
    while (!alone
        && (next = queue.peek()) != null
        && !(next instanceof WriteTask.Maintenance)
        && !(next instanceof WriteTask.Stop)
        && (!results || next instanceof WriteTask.CommandResults)
        && events + next.events() <= options.maxEventsPerTransaction()
        && bytes + next.bytes() <= options.maxTransactionBytes()) {
      group.add(taken(queue.poll()));
      events += next.events();
      bytes += next.bytes();
    }
    return group;
  }

  private WriteTask taken(WriteTask t) {
    if (t.bounded()) {
      metrics.queuedBatches.decrementAndGet();
    }
    return t;
  }

  private void execute(List<WriteTask> group) {
    WriteContext ctx = new WriteContext();
    List<Runnable> completions = new ArrayList<>(group.size());
    try {
      try {
        applyAll(group, ctx, completions);
      } catch (RuntimeException e) {
        if (!BusySnapshot.is(e)) {
          throw e;
        }
        // Another process (vigilctl triaging an alert) committed between this transaction's
        // first read and its first write; SQLite refuses the upgrade at once. Nothing of the
        // group is stored: start it again on the new snapshot instead of failing the streams.
        metrics.transactionRetries.inc();
        undo();
        ctx = new WriteContext();
        completions.clear();
        applyAll(group, ctx, completions);
      }
    } catch (RuntimeException | Error e) {
      // Errors too: a writer thread that died would leave every future waiting for ever.
      fail(group, e);
      return;
    }
    ctx.afterCommit.forEach(Runnable::run);
    writeOutputs(ctx);
    completions.forEach(Runnable::run);
  }

  private void applyAll(List<WriteTask> group, WriteContext ctx, List<Runnable> completions) {
    for (WriteTask task : group) {
      completions.add(apply(ctx, task));
    }
    continuity.beforeCommit(ctx);
    activity.beforeCommit(store.processes());
    store.commit();
    activity.committed();
    alerts.committed();
    fim.committed();
  }

  /** Rolls back and forgets what the rolled-back transaction left in memory. */
  private void undo() {
    store.rollback();
    streams.clear(); // the cached watermarks may include the rolled-back changes
    alerts.afterRollback(); // correlation state may include the rolled-back inputs
    fim.afterRollback(); // its counts; its rows went with the transaction
    health.afterRollback(); // clock-skew episodes the transaction started or ended
    activity.afterRollback(); // its writes went with the transaction: still pending
  }

  private Runnable apply(WriteContext ctx, WriteTask task) {
    if (task instanceof WriteTask.Batch b && failedStreams.contains(b.key())) {
      // An earlier batch of this stream was rolled back. Storing this later one would move the
      // watermark past the lost batch, which the agent would then never re-send: refuse it, the
      // agent reconnects and resumes from the committed watermark.
      return () -> b.fail(new IllegalStateException("an earlier batch of this stream failed"));
    }
    if (task instanceof WriteTask.Batch b) {
      long watermark = batches.apply(ctx, b);
      return () -> b.future().complete(watermark);
    } else if (task instanceof WriteTask.OpenStream o) {
      failedStreams.remove(o.key()); // a new session resumes from the committed watermark
      String previousEpoch = health.beforeHello(o.key().agentId());
      long watermark = agents.openStream(o);
      health.helloRecorded(ctx, o, previousEpoch);
      return () -> o.future().complete(watermark);
    } else if (task instanceof WriteTask.CommandResults c) {
      List<String> ids = agents.commandResults(ctx, c);
      return () -> c.future().complete(ids);
    } else if (task instanceof WriteTask.Maintenance<?> m) {
      activity.flush(store.processes()); // retention decides on current last_event_ns
      return m.apply(store);
    } else if (task instanceof WriteTask.ContinuityCheck c) {
      long now = System.currentTimeMillis() * 1_000_000L;
      List<HoleRow> reported = continuity.reportOverdue(ctx, now);
      reported.forEach(h -> health.holeReported(ctx, h, now));
      return () -> c.future().complete(reported.size());
    } else if (task instanceof WriteTask.CollectorAlert a) {
      long id = health.collectorAlert(ctx, a.alert(), System.currentTimeMillis() * 1_000_000L);
      return () -> a.future().complete(id);
    } else if (task instanceof WriteTask.SilenceCheck c) {
      int silent = health.checkSilence(ctx, System.currentTimeMillis() * 1_000_000L);
      return () -> c.future().complete(silent);
    }
    throw new IllegalStateException("unexpected task " + task);
  }

  private void fail(List<WriteTask> group, Throwable e) {
    boolean full = StoreFull.is(e);
    if (full) {
      // Not a bug: another process filled the disk faster than the disk guard looked (or a quota
      // hit). The agents keep their events and retry; one line, not a stack trace per group.
      log.error(
          "ingest transaction of {} tasks rolled back: the store is full ({})",
          group.size(),
          e.toString());
    } else {
      log.error("ingest transaction of {} tasks failed and was rolled back", group.size(), e);
    }
    try {
      undo();
    } catch (RuntimeException r) {
      e.addSuppressed(r);
    }
    for (WriteTask t : group) {
      if (t instanceof WriteTask.Batch b) {
        failedStreams.add(b.key());
      }
      if (full && t instanceof WriteTask.Batch) {
        metrics.refused("store_full").inc();
        t.fail(
            new IngestRefusedException(
                "store_full",
                "collector storage full: the database could not grow; keep spooling, retrying"));
      } else {
        t.fail(e);
      }
    }
  }

  private void writeOutputs(WriteContext ctx) {
    writeAlertOutputs(ctx);
    if (ctx.stored.isEmpty()) {
      return;
    }
    for (EventOutput out : outputs) {
      try {
        for (WriteContext.StoredEvent s : ctx.stored) {
          out.write(s.key().agentId(), s.key().epoch(), s.seq(), s.event(), s.receiveTimeNs());
        }
        out.flush();
      } catch (RuntimeException e) {
        // The events are committed and acknowledged; re-sending would be deduplicated and never
        // reach the output, so the failure is counted and logged, not passed to the agent.
        metrics.outputErrors(out.name()).inc();
        log.error("output {} failed after commit; events stay stored", out.name(), e);
      }
    }
  }

  private void writeAlertOutputs(WriteContext ctx) {
    if (ctx.raised.isEmpty()) {
      return;
    }
    for (JsonlAlertOutput out : alertOutputs) {
      try {
        for (RaisedAlert r : ctx.raised) {
          out.write(r);
        }
        out.flush();
      } catch (RuntimeException e) {
        // Committed alerts stay stored (and readable with vigilctl); the output is behind.
        metrics.outputErrors(out.name()).inc();
        log.error("output {} failed after commit; alerts stay stored", out.name(), e);
      }
    }
    try {
      alertsStored.run();
    } catch (RuntimeException e) {
      // The alerts are committed; whoever missed the news finds them at its next poll.
      log.error("telling that alerts were stored failed", e);
    }
  }
}
