package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.agent.sensor.process.procfs.EntityIds;
import io.vigil.agent.sensor.process.procfs.ProcSnapshot;
import io.vigil.agent.sensor.process.table.ProcessEntry;
import io.vigil.agent.sensor.process.table.ProcessTable;
import io.vigil.agent.sensor.process.table.UserNames;
import io.vigil.proto.v1.ProcessRef;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The life-cycle rules of the process table: what a fork, an exec, a uid change and an exit do to
 * it, and which entity id an image gets. The first image after a fork keeps the id of the fork,
 * {@code EntityIds.of(boot, pid, startTicks)}; an exec in a process that already exec'd since its
 * fork gets a new id and the previous image as its parent.
 *
 * <p>Thread-safe: each transition is one atomic update of the table. No I/O: callers read {@code
 * /proc} first and pass what they found.
 */
final class ProcessTracker {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  /**
   * The outcome of an exec.
   *
   * @param process the new image, with the exec's whole command line (the table keeps at most
   *     {@link io.vigil.agent.sensor.process.table.CommandLines#TABLE_MAX_BYTES} of it)
   * @param parent the parent (or, after an exec without fork, the previous image)
   * @param withoutFork the process had exec'd before since its fork
   */
  record ExecResult(ProcessEntry process, ProcessRef parent, boolean withoutFork) {}

  private final ProcessTable table;
  private final BootTime boot;
  private final UserNames names;
  private final long ticksPerSecond;

  ProcessTracker(ProcessTable table, BootTime boot, UserNames names, long ticksPerSecond) {
    this.table = table;
    this.boot = boot;
    this.names = names;
    this.ticksPerSecond = ticksPerSecond;
  }

  ProcessTable table() {
    return table;
  }

  BootTime boot() {
    return boot;
  }

  UserNames names() {
    return names;
  }

  /**
   * A new process forked from {@code parentPid}: it runs its parent's image until it execs.
   *
   * @param exactTicks its start ticks from {@code /proc/PID/stat}, empty when it is already gone
   * @param kernelNs the kernel's monotonic time of the fork, for the fallback start ticks
   */
  ProcessEntry onFork(int parentPid, int childPid, OptionalLong exactTicks, long kernelNs) {
    long ticks = exactTicks.orElse(monotonicToTicks(kernelNs));
    Optional<ProcessEntry> parent = table.get(parentPid);
    return table.compute(
        childPid,
        old -> {
          // The exec's audit record may have been handled first (two threads); keep what it set.
          // An exited entry is never the child: a fork comes before its exit, so it is a former
          // holder of the pid, even when the child is already gone and its ticks are estimated.
          if (old != null && !old.exited() && (exactTicks.isEmpty() || old.startTicks() == ticks)) {
            return old;
          }
          return new ProcessEntry(
              boot.entityId(childPid, ticks),
              childPid,
              parentPid,
              ticks,
              exactTicks.isPresent(),
              parent.map(ProcessEntry::image).orElse(""),
              parent.map(ProcessEntry::commandLine).orElse(""),
              parent.map(ProcessEntry::uid).orElse(-1),
              parent.map(ProcessEntry::user).orElse(""),
              boot.startTimeNanos(ticks),
              0,
              false,
              0);
        });
  }

  /**
   * A successful exec of {@code image} by {@code pid}.
   *
   * @param ppid the parent pid the exec source reports, 0 if unknown
   * @param liveTicks start ticks from {@code /proc} when the process is still there
   * @param eventWallNs wall-clock time of the exec, for the fallback start ticks
   */
  ExecResult onExec(
      int pid,
      int ppid,
      String image,
      String commandLine,
      int uid,
      OptionalLong liveTicks,
      long eventWallNs) {
    String user = uid == -1 ? "" : names.user(Integer.toUnsignedLong(uid));
    ExecResult[] out = new ExecResult[1];
    table.compute(
        pid,
        prev -> {
          boolean reused = prev != null && !sameProcess(prev, liveTicks, eventWallNs);
          int parentPid = ppid != 0 ? ppid : prev == null ? 0 : prev.ppid();
          if (prev == null || reused) {
            long ticks = liveTicks.orElse(wallToTicks(eventWallNs));
            ProcessEntry fresh =
                new ProcessEntry(
                    boot.entityId(pid, ticks),
                    pid,
                    parentPid,
                    ticks,
                    liveTicks.isPresent(),
                    image,
                    commandLine,
                    uid,
                    user,
                    boot.startTimeNanos(ticks),
                    1,
                    true,
                    0);
            out[0] = new ExecResult(fresh, parentRef(parentPid), false);
            return fresh;
          }
          if (!prev.execSinceFork()) {
            ProcessEntry first =
                prev.withExec(prev.entityId(), parentPid, image, commandLine, uid, user, 1);
            out[0] = new ExecResult(first, parentRef(parentPid), false);
            return first;
          }
          int generation = prev.execGeneration() + 1;
          String id = EntityIds.of(boot.bootId(), pid, prev.startTicks(), generation);
          ProcessEntry again =
              prev.withExec(id, parentPid, image, commandLine, uid, user, generation);
          out[0] = new ExecResult(again, prev.toRef(), true);
          return again;
        });
    return out[0];
  }

  /**
   * Whether an exec at {@code eventWallNs} belongs to the process of {@code prev}. A process still
   * running under the pid is {@code prev} unless exact start ticks differ. Once {@code prev}
   * exited, a later exec is another process that reused the pid (its fork handled after this exec
   * on the other thread, or lost), however much the two share: unless the very same process is
   * still there, only an exec record older than the exit (kauditd delivers it after the proc
   * connector's exit) still belongs to {@code prev}.
   */
  private static boolean sameProcess(ProcessEntry prev, OptionalLong liveTicks, long eventWallNs) {
    if (liveTicks.isPresent()) {
      boolean sameTicks = prev.startTicks() == liveTicks.getAsLong();
      // A live process under an exited entry's pid is that process only if provably the same.
      return prev.exited()
          ? prev.startTicksExact() && sameTicks
          : !prev.startTicksExact() || sameTicks;
    }
    return !prev.exited() || eventWallNs <= prev.exitedAtNs();
  }

  /**
   * A process found running (seeding, polling), not seen being forked. It counts as having exec'd
   * since its fork unless it runs its parent's image (a forked child that never exec'd).
   */
  ProcessEntry discovered(ProcSnapshot s, String commandLine) {
    ProcessEntry e = entryFor(s, commandLine);
    table.put(e);
    return e;
  }

  /** The entry {@link #discovered} would add, without adding it. */
  ProcessEntry entryFor(ProcSnapshot s, String commandLine) {
    Optional<ProcessEntry> parent = table.get(s.ppid());
    boolean forkedCopy = parent.isPresent() && parent.get().image().equals(s.exe());
    int uid = s.credentials().map(c -> (int) c.uid()).orElse(-1);
    return new ProcessEntry(
        boot.entityId(s.pid(), s.startTicks()),
        s.pid(),
        s.ppid(),
        s.startTicks(),
        true,
        s.exe(),
        commandLine,
        uid,
        uid == -1 ? "" : names.user(Integer.toUnsignedLong(uid)),
        boot.startTimeNanos(s.startTicks()),
        forkedCopy ? 0 : 1,
        !forkedCopy,
        0);
  }

  /** The real uid of {@code pid} changed. */
  void onUid(int pid, int ruid) {
    String user = names.user(Integer.toUnsignedLong(ruid));
    table.compute(pid, old -> old == null ? null : old.withUid(ruid, user));
  }

  /** {@code pid} ended at {@code wallNs}; the entry stays for the retention period. */
  Optional<ProcessEntry> onExit(int pid, long wallNs) {
    return Optional.ofNullable(
        table.compute(pid, old -> old == null || old.exited() ? old : old.withExit(wallNs)));
  }

  /** The parent's current image, or a reference with only its pid when the table lacks it. */
  private ProcessRef parentRef(int ppid) {
    return table
        .get(ppid)
        .map(ProcessEntry::toRef)
        .orElseGet(() -> ProcessRef.newBuilder().setPid(ppid).build());
  }

  /** Kernel monotonic ns to clock ticks (the same clock as {@code stat}'s start time). */
  long monotonicToTicks(long ns) {
    return ns / NANOS_PER_SECOND * ticksPerSecond
        + ns % NANOS_PER_SECOND * ticksPerSecond / NANOS_PER_SECOND;
  }

  /** Wall-clock ns to clock ticks after boot (btime has one-second resolution). */
  long wallToTicks(long wallNs) {
    return Math.max(0, monotonicToTicks(wallNs - boot.startTimeNanos(0)));
  }
}
