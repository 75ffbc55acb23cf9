package io.vigil.agent.response.process;

import io.vigil.agent.response.ActionRefusedException;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.agent.sensor.process.procfs.StatLine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The processes the agent never signals: pid 1, the agent itself (any of its threads), and every
 * ancestor of the agent. An ancestor is the agent's service manager, its login session or the shell
 * it was started from; killing one would take the agent down with it (or a whole tree that contains
 * the agent), and the operator would lose the host. Taken once per command, since the chain can
 * change (a parent exits and the agent is reparented). Immutable.
 */
final class ProtectedProcesses {
  /** A parent chain longer than this is a loop in a changing /proc, not a real one. */
  private static final int MAX_DEPTH = 4096;

  private final long agentPid;
  private final Set<Integer> ancestors;
  private final Path procRoot;

  private ProtectedProcesses(long agentPid, Set<Integer> ancestors, Path procRoot) {
    this.agentPid = agentPid;
    this.ancestors = Set.copyOf(ancestors);
    this.procRoot = procRoot;
  }

  /**
   * Reads the agent's parent chain now.
   *
   * @param agentPid the agent's pid ({@code ProcessHandle.current().pid()})
   */
  static ProtectedProcesses of(ProcReader reader, Path procRoot, long agentPid) {
    Set<Integer> chain = new LinkedHashSet<>();
    int pid = (int) agentPid;
    for (int depth = 0; depth < MAX_DEPTH; depth++) {
      Optional<StatLine> s = reader.stat(pid);
      if (s.isEmpty() || s.get().ppid() <= 0 || !chain.add(s.get().ppid())) {
        break;
      }
      pid = s.get().ppid();
    }
    return new ProtectedProcesses(agentPid, chain, procRoot);
  }

  /** True when {@code pid} must never be signalled. */
  boolean isProtected(int pid) {
    return reason(pid, false).isPresent();
  }

  /**
   * Refuses {@code pid} when it is protected.
   *
   * @param tree whether the whole tree below {@code pid} would be killed (for the message)
   * @throws ActionRefusedException saying why
   */
  void check(int pid, boolean tree) throws ActionRefusedException {
    Optional<String> why = reason(pid, tree);
    if (why.isPresent()) {
      throw new ActionRefusedException(why.get());
    }
  }

  private Optional<String> reason(int pid, boolean tree) {
    String nothing = "; nothing was killed";
    if (pid <= 1) {
      return Optional.of(
          "pid " + pid + " is the init process: killing it would bring the host down" + nothing);
    }
    if (pid == agentPid || isAgentThread(pid)) {
      return Optional.of("pid " + pid + " is the Vigil agent itself" + nothing);
    }
    if (ancestors.contains(pid)) {
      return Optional.of(
          "pid "
              + pid
              + " is an ancestor of the Vigil agent (its service manager, session or shell): "
              + (tree
                  ? "its tree contains the agent, which would kill itself"
                  : "killing it would take the agent down with it")
              + nothing);
    }
    return Optional.empty();
  }

  /** A thread of the agent has its own {@code /proc/TID} (unlisted), which a command could name. */
  private boolean isAgentThread(int pid) {
    return Files.exists(
        procRoot.resolve(Long.toString(agentPid)).resolve("task").resolve(Integer.toString(pid)));
  }
}
