package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.agent.sensor.process.procfs.ProcSnapshot;
import io.vigil.agent.sensor.process.table.ProcessEntry;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Builds {@code ProcessExec} events from {@code /proc} when audit does not provide them: after a
 * proc connector exec (source {@code "proc"}) or for a process found by polling (source {@code
 * "proc_poll"}). A process that is gone before it could be read still gives an event with what the
 * table knows (pid, parent), counted as incomplete. Thread-safe; blocks on {@code /proc} reads and
 * hashing.
 */
final class SnapshotExecs {
  private final ProcessTracker tracker;
  private final ProcReader reader;
  private final ExecutableFacts facts;

  SnapshotExecs(ProcessTracker tracker, ProcReader reader, ExecutableFacts facts) {
    this.tracker = tracker;
    this.reader = reader;
    this.facts = facts;
  }

  /**
   * A proc connector exec of {@code pid}: reads {@code /proc/PID} now and updates the table.
   *
   * @return the event; {@code complete} false when the process was gone
   */
  Result onExec(int pid, long wallNs) {
    return onExec(pid, wallNs, "proc");
  }

  /** As {@link #onExec(int, long)}, naming the source ({@code "proc_poll"} for polling). */
  Result onExec(int pid, long wallNs, String source) {
    Optional<ProcSnapshot> live = reader.read(pid);
    if (live.isEmpty()) {
      ProcessTracker.ExecResult r =
          tracker.onExec(pid, 0, "", "", -1, OptionalLong.empty(), wallNs);
      ProcessExec.Builder exec =
          ProcessExec.newBuilder()
              .setSource(source)
              .setProcess(r.process().toRef())
              .setParent(r.parent())
              .setExecWithoutFork(r.withoutFork());
      return new Result(exec.build(), false);
    }
    ProcSnapshot s = live.get();
    String commandLine = s.argv().commandLine();
    int uid = s.credentials().map(c -> (int) c.uid()).orElse(-1);
    ProcessTracker.ExecResult r =
        tracker.onExec(
            pid, s.ppid(), s.exe(), commandLine, uid, OptionalLong.of(s.startTicks()), wallNs);
    ProcessExec.Builder exec = fromSnapshot(s, source);
    exec.setProcess(r.process().toRef()).setParent(r.parent()).setExecWithoutFork(r.withoutFork());
    return new Result(exec.build(), true);
  }

  /** A process found running by polling: added to the table, described as an exec. */
  ProcessExec discovered(ProcSnapshot s) {
    ProcessEntry e = tracker.discovered(s, s.argv().commandLine());
    ProcessRef parent =
        tracker
            .table()
            .get(s.ppid())
            .map(ProcessEntry::toRef)
            .orElseGet(() -> ProcessRef.newBuilder().setPid(s.ppid()).build());
    return fromSnapshot(s, "proc_poll").setProcess(e.toRef()).setParent(parent).build();
  }

  private ProcessExec.Builder fromSnapshot(ProcSnapshot s, String source) {
    return ProcExecFields.of(s, source, tracker.names(), facts);
  }

  /**
   * @param exec the event
   * @param complete false when only the table's knowledge went into it
   */
  record Result(ProcessExec exec, boolean complete) {}
}
