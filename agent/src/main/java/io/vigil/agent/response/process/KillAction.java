package io.vigil.agent.response.process;

import io.vigil.agent.platform.linux.Errno;
import io.vigil.agent.platform.linux.ProcessDescriptor;
import io.vigil.agent.platform.linux.ProcessDescriptorException;
import io.vigil.agent.response.Action;
import io.vigil.agent.response.ActionRefusedException;
import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.agent.sensor.process.procfs.StatLine;
import io.vigil.common.proc.ProcessSelfStats;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The {@code kill} action ({@code Command.ActionCase.KILL}): ends one process, or its whole tree,
 * with SIGKILL, never a reused pid.
 *
 * <p>Order: a pidfd is opened on the pid first, and only then is {@code /proc/PID/stat} read and
 * the command's entity id compared with the one the process sensor gives that (pid, start time);
 * the pidfd is then checked not to have exited, so the process read is the pidfd's. Every signal
 * goes through pidfds, so a pid that is reused after the check is never hit. Refused (REJECTED,
 * nothing signalled): pid 0 and 1, the agent, its ancestors, kernel threads, a pid that is gone or
 * now names another process. The action waits until every signalled process has exited (its pidfd
 * turns readable; a zombie counts as exited) before it reports SUCCEEDED; a survivor makes it
 * FAILED, naming it.
 *
 * <p>Facts: {@code killed} (processes signalled that were running), {@code pids} (at most {@link
 * #MAX_LISTED_PIDS}, root first, then {@code "+N more"}), {@code entity_id}, {@code tree}.
 *
 * <p>Run by the command dispatcher's single thread; blocks for the kill (milliseconds, at most
 * about the freeze budget plus the exit wait). Thread-safe: holds no state between commands.
 */
public final class KillAction implements Action {
  /** Pids named in the {@code pids} fact at most. */
  static final int MAX_LISTED_PIDS = 64;

  /** Processes of one tree held (one pidfd each) at most. */
  static final int DEFAULT_MAX_TREE = 4096;

  /** How long a tree may take to stop; see {@link FrozenTree}. */
  static final Duration DEFAULT_FREEZE_BUDGET = Duration.ofSeconds(1);

  /** How long the killed processes may take to exit before the action fails. */
  static final Duration DEFAULT_EXIT_WAIT = Duration.ofSeconds(3);

  private final ProcReader reader;
  private final Path procRoot;
  private final ProcessIdentity identity;
  private final long agentPid;
  private final int maxTree;
  private final Duration freezeBudget;
  private final Duration exitWait;

  /**
   * Acts on the host's processes, as the running agent.
   *
   * @throws IOException when the boot id or boot time cannot be read from {@code /proc}
   */
  public KillAction() throws IOException {
    this(
        Path.of("/proc"),
        BootTime.read(Path.of("/proc"), ProcessSelfStats.clockTicks()),
        ProcessHandle.current().pid(),
        DEFAULT_MAX_TREE,
        DEFAULT_FREEZE_BUDGET,
        DEFAULT_EXIT_WAIT);
  }

  /**
   * For tests: another agent pid to protect, smaller limits.
   *
   * @param procRoot must be the real {@code /proc} of the pid namespace pidfds are opened in
   */
  KillAction(
      Path procRoot,
      BootTime boot,
      long agentPid,
      int maxTree,
      Duration freezeBudget,
      Duration exitWait) {
    if (maxTree < 1) {
      throw new IllegalArgumentException("maxTree must be positive: " + maxTree);
    }
    this.procRoot = procRoot;
    this.reader = new ProcReader(procRoot, ProcReader.DEFAULT_MAX_ARGV_BYTES);
    this.identity = new ProcessIdentity(boot);
    this.agentPid = agentPid;
    this.maxTree = maxTree;
    this.freezeBudget = freezeBudget;
    this.exitWait = exitWait;
  }

  @Override
  public void run(Command command, CommandResult.Builder result) throws Exception {
    if (command.getActionCase() != Command.ActionCase.KILL) {
      throw new IllegalArgumentException("not a kill command: " + command.getActionCase());
    }
    KillRequest req = KillRequest.of(command.getKill());
    ProtectedProcesses guard = ProtectedProcesses.of(reader, procRoot, agentPid);
    guard.check(req.pid(), req.tree());
    result.putFacts("entity_id", req.entityId()).putFacts("tree", Boolean.toString(req.tree()));
    try (ProcessDescriptor root = open(req.pid())) {
      verify(root, req);
      List<ProcessDescriptor> targets = new ArrayList<>();
      if (!req.tree()) {
        targets.add(root);
        kill(targets, result, "");
        return;
      }
      try (FrozenTree tree =
          FrozenTree.freeze(root, reader, procRoot, guard, maxTree, freezeBudget)) {
        targets.addAll(tree.members().values());
        String caveat = "";
        if (tree.overflow()) {
          caveat =
              "; the tree has more than "
                  + maxTree
                  + " processes: only "
                  + maxTree
                  + " were stopped and killed, the others may survive";
        } else if (!tree.settled()) {
          caveat =
              "; some processes had not stopped within "
                  + freezeBudget.toMillis()
                  + " ms (uninterruptible sleep), a child they forked at that moment may have"
                  + " escaped";
        }
        kill(targets, result, caveat);
        if (tree.overflow()) {
          throw new IOException(result.getDetail());
        }
      }
    }
  }

  /**
   * Opens a pidfd on {@code pid}; a missing process is a refusal, a kernel without pidfds a
   * failure.
   */
  private static ProcessDescriptor open(int pid) throws ActionRefusedException, IOException {
    try {
      return ProcessDescriptor.open(pid);
    } catch (ProcessDescriptorException e) {
      if (e.errno() == Errno.ESRCH) {
        throw new ActionRefusedException(
            "pid " + pid + " does not exist: the process you meant has exited; nothing was killed");
      }
      if (e.errno() == Errno.EINVAL) {
        throw new ActionRefusedException(
            "pid " + pid + " is a thread, not a process; nothing was killed");
      }
      if (e.unsupported()) {
        throw new IOException(
            "this kernel offers no pidfds (pidfd_open needs Linux 5.3 or later): the agent does"
                + " not signal by bare pid, which could hit a reused one; nothing was killed ("
                + e.getMessage()
                + ")",
            e);
      }
      throw e;
    }
  }

  /** The entity-id check, made while {@code root} holds the process. */
  private void verify(ProcessDescriptor root, KillRequest req) throws ActionRefusedException {
    int pid = req.pid();
    Optional<StatLine> stat = reader.stat(pid);
    if (stat.isEmpty() || root.exited() || stat.get().state() == 'Z' || stat.get().state() == 'X') {
      throw new ActionRefusedException(
          "pid " + pid + " has already exited: the process you meant is gone; nothing was killed");
    }
    StatLine s = stat.get();
    if (s.kernelThread()) {
      throw new ActionRefusedException(
          "pid " + pid + " is a kernel thread, which cannot be killed; nothing was killed");
    }
    if (!identity.matches(req.entityId(), pid, s.startTicks())) {
      throw new ActionRefusedException(
          "pid "
              + pid
              + " now belongs to another process (started "
              + identity.startTime(s.startTicks())
              + "): the process you meant has exited; nothing was killed");
    }
  }

  /**
   * SIGKILLs {@code targets} and waits for them to exit; sets the detail and facts.
   *
   * @throws IOException when one could not be signalled or did not exit in time (FAILED)
   */
  private void kill(List<ProcessDescriptor> targets, CommandResult.Builder result, String caveat)
      throws IOException, ActionRefusedException {
    ProcessDescriptor root = targets.get(0);
    List<Integer> killed = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (ProcessDescriptor d : targets) {
      if (d.exited()) {
        continue; // exited by itself meanwhile: nothing to count
      }
      try {
        d.signal(ProcessDescriptor.SIGKILL);
        killed.add(d.pid());
      } catch (ProcessDescriptorException e) {
        if (e.errno() != Errno.ESRCH) {
          errors.add("pid " + d.pid() + ": " + Errno.name(e.errno()));
        }
      }
    }
    if (killed.isEmpty() && errors.isEmpty()) {
      throw new ActionRefusedException(
          "pid " + root.pid() + " exited by itself before the kill; nothing was killed");
    }
    long deadline = System.nanoTime() + exitWait.toNanos();
    List<Integer> survivors = new ArrayList<>();
    for (ProcessDescriptor d : targets) {
      if (!killed.contains(d.pid())) {
        continue;
      }
      int left = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
      if (!d.awaitExit(left)) {
        survivors.add(d.pid());
      }
    }
    result
        .putFacts("killed", Integer.toString(killed.size() - survivors.size()))
        .putFacts("pids", listed(killed));
    if (!errors.isEmpty()) {
      throw new IOException(
          "could not signal "
              + errors.size()
              + " process(es) ("
              + String.join(", ", errors.subList(0, Math.min(errors.size(), 8)))
              + "); "
              + killed.size()
              + " were sent SIGKILL"
              + caveat);
    }
    if (!survivors.isEmpty()) {
      throw new IOException(
          survivors.size()
              + " process(es) still running "
              + exitWait.toMillis()
              + " ms after SIGKILL (uninterruptible sleep?): pids "
              + listed(survivors)
              + caveat);
    }
    result
        .setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
        .setDetail(
            (targets.size() == 1 && root.pid() == killed.get(0) && killed.size() == 1
                    ? "killed pid " + root.pid()
                    : "killed " + killed.size() + " process(es) of the tree of pid " + root.pid())
                + caveat);
  }

  /** At most {@link #MAX_LISTED_PIDS} pids, comma-separated, then "+N more". */
  static String listed(List<Integer> pids) {
    String head =
        pids.stream().limit(MAX_LISTED_PIDS).map(String::valueOf).collect(Collectors.joining(","));
    return pids.size() > MAX_LISTED_PIDS
        ? head + ",+" + (pids.size() - MAX_LISTED_PIDS) + " more"
        : head;
  }
}
