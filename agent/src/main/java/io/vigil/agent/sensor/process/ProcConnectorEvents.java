package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.process.procconnector.ProcEvent;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.agent.sensor.process.table.ProcessEntry;
import io.vigil.common.time.WallClock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * What each proc connector event does: a fork adds a table entry (threads are ignored), an exec is
 * read from {@code /proc} and emitted unless audit provides execs at that moment, an exit is handed
 * to the {@link ExitSettler}, a uid change updates the table. Called by the sensor's reader thread
 * only; the parts it uses are thread-safe.
 */
final class ProcConnectorEvents {
  /** The kernel thread daemon: its children are kernel threads, which never exec. */
  static final int KTHREADD = 2;

  private final ProcessTracker tracker;
  private final ProcReader reader;
  private final SnapshotExecs execs;
  private final ExitSettler exits;
  private final BooleanSupplier execsFromAudit;
  private final AtomicLong incompleteExecs;

  ProcConnectorEvents(
      ProcessTracker tracker,
      ProcReader reader,
      SnapshotExecs execs,
      ExitSettler exits,
      BooleanSupplier execsFromAudit,
      AtomicLong incompleteExecs) {
    this.tracker = tracker;
    this.reader = reader;
    this.execs = execs;
    this.exits = exits;
    this.execsFromAudit = execsFromAudit;
    this.incompleteExecs = incompleteExecs;
  }

  void handle(ProcEvent event, EventSink sink) {
    if (event instanceof ProcEvent.Fork f) {
      if (!f.isThread()) {
        tracker.onFork(
            f.parentTgid(), f.childTgid(), reader.startTicks(f.childTgid()), f.timestampNs());
      }
    } else if (event instanceof ProcEvent.Exec x) {
      if (!execsFromAudit.getAsBoolean()) {
        long now = WallClock.nowNanos();
        SnapshotExecs.Result r = execs.onExec(x.tgid(), now);
        if (!r.complete()) {
          incompleteExecs.incrementAndGet();
        }
        sink.offer(SensorEvents.exec(now, r.exec()));
      }
    } else if (event instanceof ProcEvent.Exit x) {
      if (x.pid() == x.tgid()) {
        long now = WallClock.nowNanos();
        Optional<ProcessEntry> entry = tracker.onExit(x.tgid(), now);
        if (!isKernelThread(x.tgid(), entry)) {
          exits.exited(x.tgid(), entry, x.exitCode(), true, now);
        }
      }
    } else if (event instanceof ProcEvent.Uid u) {
      if (u.pid() == u.tgid()) {
        tracker.onUid(u.tgid(), u.ruid());
      }
    }
    // Gid: the table keeps no group; exec events read it fresh. Comm: not an identity.
  }

  static boolean isKernelThread(int pid, Optional<ProcessEntry> entry) {
    return pid == KTHREADD || entry.map(e -> e.ppid() == KTHREADD).orElse(false);
  }
}
