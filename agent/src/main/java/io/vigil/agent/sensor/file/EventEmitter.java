package io.vigil.agent.sensor.file;

import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.agent.sensor.Reduction;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FileEvent.Action;
import io.vigil.proto.v1.ProcessRef;
import java.util.Optional;

/**
 * The processor thread's work, from a queued change to an emitted event: stat, attribution, hashes
 * of new executables, the sink, the listener, and the Gap events of everything dropped. Not
 * thread-safe: only the processor thread calls it (the hash thread hands finished events back
 * through {@link HashQueue#completed}), so the sink and the listener are called from one thread.
 */
final class EventEmitter {
  private final FileSensor.Options options;
  private final String sourceName;
  private final EventSink sink;
  private final ProcessDirectory processes;
  private final FileChangeListener listener;
  private final FileCounters counters;
  private final LossReports losses;
  private final LostSignal lost;
  private final HashPolicy policy;
  private final HashQueue hashes;
  private final Reduction hashing;

  EventEmitter(
      FileSensor.Options options,
      String sourceName,
      EventSink sink,
      ProcessDirectory processes,
      FileChangeListener listener,
      FileCounters counters,
      LossReports losses,
      LostSignal lost,
      HashPolicy policy,
      HashQueue hashes,
      Reduction hashing) {
    this.hashing = hashing;
    this.options = options;
    this.sourceName = sourceName;
    this.sink = sink;
    this.processes = processes;
    this.listener = listener;
    this.counters = counters;
    this.losses = losses;
    this.lost = lost;
    this.policy = policy;
    this.hashes = hashes;
  }

  /**
   * A change stat'ed, and its hash job submitted, when it was dequeued; it waits for its process
   * ({@link #attribute}).
   */
  static final class Prepared {
    final FileChange change;
    final Event.Builder event;
    final HashQueue.Job job; // null when no hashes are coming

    private Prepared(FileChange change, Event.Builder event, HashQueue.Job job) {
      this.change = change;
      this.event = event;
      this.job = job;
    }
  }

  /** One admitted change: stat, attribution and an event now, or once its file is hashed. */
  void accept(FileChange c, long nowNanos) {
    attribute(prepare(c, nowNanos));
  }

  /**
   * The first half of {@link #accept}, as soon as the change is dequeued: the stat, and the hash
   * job submitted, so that a file run and deleted within the attribution delay still gets its mode,
   * size and hashes. Only the process lookup waits.
   */
  Prepared prepare(FileChange c, long nowNanos) {
    Optional<FileStat> stat =
        c.action() == Action.ACTION_DELETE || c.path().isEmpty()
            ? Optional.empty()
            : FileStat.lstat(c.path());
    Event.Builder e = FileEvents.of(c, stat, Optional.empty(), sourceName);
    HashQueue.Job job = null;
    if (options.hashExecutables() && policy.wants(c, stat, nowNanos)) {
      if (hashing.active()) {
        hashing.skipped();
        HashQueue.apply(e.getFileBuilder(), ContentHasher.Outcome.skipped("budget"));
      } else if (stat.get().size() > options.hashMaxBytes()) {
        HashQueue.apply(e.getFileBuilder(), ContentHasher.Outcome.skipped("too_large"));
      } else {
        job = new HashQueue.Job(e, c, stat.get());
        if (!hashes.submit(job)) {
          job = null;
          HashQueue.apply(e.getFileBuilder(), ContentHasher.Outcome.skipped("busy"));
        }
      }
    }
    return new Prepared(c, e, job);
  }

  /** The second half: the process, then the event out, or once its hashes are in (housekeeping). */
  void attribute(Prepared p) {
    Optional<ProcessRef> actor = actor(p.change.pid());
    actor.ifPresent(p.event.getFileBuilder()::setProcess);
    if (p.job == null) {
      emit(p.event, p.change, actor);
      return;
    }
    p.job.actor = actor;
    p.job.attributed = true;
    if (p.job.hashed) {
      emit(p.event, p.change, actor);
    }
  }

  /**
   * Periodic work: hashed events, due Gaps, the lost signal. With {@code closing}, waits for the
   * hashes still queued (a bounded time), then sends every Gap.
   */
  void housekeeping(long nowNanos, boolean closing) {
    for (HashQueue.Job j = hashes.completed(); j != null; j = hashes.completed()) {
      hashed(j);
    }
    if (closing) {
      for (HashQueue.Job j : hashes.finish(FileSensor.HASH_WAIT_MILLIS)) {
        hashed(j);
      }
      for (HashQueue.Job j = hashes.completed(); j != null; j = hashes.completed()) {
        hashed(j);
      }
    }
    for (Event.Builder gap : losses.due(nowNanos, closing)) {
      counters.gaps.increment();
      if (!sink.offer(gap)) {
        lost.request();
      }
    }
    lost.tick(nowNanos, listener, closing);
  }

  /** A job whose hashes are in: out if attributed, else {@link #attribute} sends it. */
  private void hashed(HashQueue.Job j) {
    j.applyOutcome();
    if (j.attributed) {
      emit(j.event, j.change, j.actor);
    }
  }

  private Optional<ProcessRef> actor(int pid) {
    if (pid <= 0) {
      return Optional.empty();
    }
    try {
      return processes.find(pid);
    } catch (RuntimeException e) {
      counters.errors.increment(); // the event is still worth more without its process
      return Optional.empty();
    }
  }

  private void emit(Event.Builder e, FileChange c, Optional<ProcessRef> actor) {
    FileEvent.Builder f = e.getFileBuilder();
    if (!f.getSha256().isEmpty()) {
      counters.hashed.increment();
    } else if (!f.getHashSkipped().isEmpty()) {
      counters.countHashSkipped(f.getHashSkipped());
    }
    counters.emitted(c.action(), 1);
    if (!sink.offer(e)) { // the pipeline counted it; integrity monitoring should catch up
      lost.request();
    }
    if (c.action() == Action.ACTION_OPEN) {
      // Integrity monitoring re-checks a changed file by reading it, which is itself an open:
      // telling it of opens would make the two trigger each other forever. An open changes nothing.
      return;
    }
    try {
      if (!c.path().isEmpty()) {
        listener.changed(c.path(), actor);
      }
      if (!c.oldPath().isEmpty()) {
        listener.changed(c.oldPath(), actor);
      }
    } catch (RuntimeException ex) {
      counters.errors.increment(); // a listener's bug must not stop file events
    }
  }
}
