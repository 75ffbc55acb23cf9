package io.vigil.agent.sensor.process.procconnector;

/**
 * One event from the proc connector. Events carry only ids, never names or paths; enrichment from
 * {@code /proc} or audit happens elsewhere. {@code cpu} is the CPU that emitted the event and
 * {@code timestampNs} the kernel's monotonic clock ({@code ktime_get_ns}), not wall time.
 */
public sealed interface ProcEvent {
  /** CPU that emitted the event. */
  int cpu();

  /** Kernel monotonic time of the event in nanoseconds. */
  long timestampNs();

  /**
   * A new task. A new process has {@code childPid == childTgid}; a new thread has {@code childPid
   * != childTgid} (see {@link #isThread()}).
   */
  record Fork(int parentPid, int parentTgid, int childPid, int childTgid, int cpu, long timestampNs)
      implements ProcEvent {
    /** True when the new task is a thread of an existing process rather than a new process. */
    public boolean isThread() {
      return childPid != childTgid;
    }
  }

  /** A successful {@code execve}: the process now runs a new image. */
  record Exec(int pid, int tgid, int cpu, long timestampNs) implements ProcEvent {}

  /**
   * A task ended (threads too: {@code pid != tgid}). {@code exitCode} is the kernel's raw {@code
   * task->exit_code}, encoded like a {@code wait(2)} status: the exit code is {@code (exitCode >>
   * 8) & 0xff}, a terminating signal is {@code exitCode & 0x7f}. {@code exitSignal} is the signal
   * the parent is sent ({@code SIGCHLD}, 17, for ordinary processes; -1 for threads). Parent ids
   * are 0 on kernels older than 4.18, which did not report them.
   */
  record Exit(
      int pid,
      int tgid,
      int exitCode,
      int exitSignal,
      int parentPid,
      int parentTgid,
      int cpu,
      long timestampNs)
      implements ProcEvent {}

  /** The real and effective user ids of a task changed. */
  record Uid(int pid, int tgid, int ruid, int euid, int cpu, long timestampNs)
      implements ProcEvent {}

  /** The real and effective group ids of a task changed. */
  record Gid(int pid, int tgid, int rgid, int egid, int cpu, long timestampNs)
      implements ProcEvent {}

  /** A task's name ({@code comm}, at most 15 bytes, set by exec or {@code prctl}) changed. */
  record Comm(int pid, int tgid, String comm, int cpu, long timestampNs) implements ProcEvent {}
}
