package io.vigil.agent.response.process;

import io.vigil.agent.platform.linux.Errno;
import io.vigil.agent.platform.linux.ProcessDescriptor;
import io.vigil.agent.platform.linux.ProcessDescriptorException;
import io.vigil.agent.response.ActionRefusedException;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.agent.sensor.process.procfs.StatLine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A process and all its descendants, stopped with SIGSTOP so that none of them can fork any more,
 * each held by a pidfd so that nothing signalled later can be a reused pid.
 *
 * <p>Why SIGSTOP and not a cgroup freezer: the tree is rarely a cgroup of its own, and moving its
 * processes into one is itself a race with their forks (a child forked before its parent is moved
 * stays behind); it would also leave cgroups to clean up after a crash, and the cgroup layout
 * differs between hosts (v1 freezer, v2 {@code cgroup.freeze}, hybrid). SIGSTOP cannot be caught,
 * blocked or ignored, and needs nothing but the pidfds the kill uses anyway.
 *
 * <p>The walk: stop the root; wait until every member is really stopped (a fork that was already
 * inside the kernel when the signal came completes, and its child must be attached before the
 * parent's children are listed); list {@code /proc} for processes whose parent is a member; open a
 * pidfd on each, check its parent again through the pidfd's process, stop it; repeat until a
 * listing after everything stopped finds no new member. A stopped process cannot fork, so the tree
 * is then closed.
 *
 * <p>Limit: a process that forks and exits in the moment between its own listing and its stop
 * leaves its new child to be reparented (to init or a subreaper), outside the tree. Its descendants
 * are no longer descendants by any record the kernel keeps, so no walk could find them; a process
 * that detached itself this way before the command came is outside the tree for the same reason.
 *
 * <p>Not thread-safe: one command thread builds, kills and closes it.
 */
final class FrozenTree implements AutoCloseable {
  /** How often the states of unsettled members are read again while waiting for them to stop. */
  private static final long SETTLE_POLL_MILLIS = 2;

  private final ProcessDescriptor root;
  private final Map<Integer, ProcessDescriptor> members = new LinkedHashMap<>();
  private final java.util.Set<Integer> stoppedBefore = new java.util.HashSet<>();
  private boolean overflow;
  private boolean settled;

  private FrozenTree(ProcessDescriptor root) {
    this.root = root;
    members.put(root.pid(), root);
  }

  /**
   * Stops {@code root} and every descendant; blocks for the walk (milliseconds, up to {@code
   * budget} when members are slow to stop).
   *
   * @param root the checked root, owned by the caller (not closed with the tree)
   * @param maxMembers pidfds held at most; beyond it descendants are left running ({@link
   *     #overflow()})
   * @param budget how long to wait for members to stop; the walk ends after it even when some have
   *     not (a process in uninterruptible sleep, a parent waiting for a vfork child)
   * @throws ActionRefusedException when the root exited first, or a protected process turned up in
   *     the tree (everything stopped is resumed first)
   * @throws IOException when {@code /proc} cannot be listed or the root cannot be signalled (the
   *     stopped members are resumed first)
   */
  static FrozenTree freeze(
      ProcessDescriptor root,
      ProcReader reader,
      Path procRoot,
      ProtectedProcesses guard,
      int maxMembers,
      Duration budget)
      throws IOException, ActionRefusedException {
    FrozenTree tree = new FrozenTree(root);
    try {
      tree.walk(reader, procRoot, guard, maxMembers, System.nanoTime() + budget.toNanos());
      return tree;
    } catch (IOException | ActionRefusedException | RuntimeException e) {
      tree.resume();
      tree.close();
      throw e;
    }
  }

  private void walk(
      ProcReader reader, Path procRoot, ProtectedProcesses guard, int maxMembers, long deadline)
      throws IOException, ActionRefusedException {
    noteStoppedBefore(root.pid(), reader.stat(root.pid()));
    try {
      root.signal(ProcessDescriptor.SIGSTOP);
    } catch (ProcessDescriptorException e) {
      if (e.errno() == Errno.ESRCH) {
        throw new ActionRefusedException(
            "pid " + root.pid() + " exited before it could be stopped; nothing was killed");
      }
      throw e;
    }
    while (true) {
      settled = awaitStopped(reader, deadline);
      int added = 0;
      for (int pid : ProcPids.list(procRoot)) {
        if (members.containsKey(pid)) {
          continue;
        }
        Optional<StatLine> s = reader.stat(pid);
        if (s.isEmpty() || !members.containsKey(s.get().ppid()) || !alive(s.get())) {
          continue;
        }
        if (guard.isProtected(pid)) {
          throw new ActionRefusedException(
              "the tree of pid "
                  + root.pid()
                  + " contains pid "
                  + pid
                  + ", which the agent must not kill (itself, an ancestor or init); the tree was"
                  + " resumed and nothing was killed");
        }
        if (members.size() >= maxMembers) {
          overflow = true;
          break;
        }
        if (stop(pid, reader)) {
          added++;
        }
      }
      if (overflow || (added == 0 && (settled || System.nanoTime() >= deadline))) {
        return;
      }
    }
  }

  /** Opens, re-checks and stops one newly listed child; false when it is no longer one. */
  private boolean stop(int pid, ProcReader reader) throws ProcessDescriptorException {
    ProcessDescriptor d;
    try {
      d = ProcessDescriptor.open(pid);
    } catch (ProcessDescriptorException e) {
      if (e.errno() == Errno.ESRCH || e.errno() == Errno.EINVAL) {
        return false; // exited meanwhile
      }
      throw e;
    }
    // The pid may have been reused between the listing and the open: what the descriptor holds is
    // a member's child only if the process at the pid now (read while the descriptor shows it has
    // not exited, so that it is the descriptor's process) has a member as its parent.
    Optional<StatLine> again = reader.stat(pid);
    if (again.isEmpty()
        || !members.containsKey(again.get().ppid())
        || !alive(again.get())
        || d.exited()) {
      d.close();
      return false;
    }
    noteStoppedBefore(pid, again);
    try {
      d.signal(ProcessDescriptor.SIGSTOP);
    } catch (ProcessDescriptorException e) {
      d.close();
      if (e.errno() == Errno.ESRCH) {
        return false;
      }
      throw e;
    }
    members.put(pid, d);
    return true;
  }

  /** Not a zombie and not a kernel thread: a process that can still run and fork. */
  private static boolean alive(StatLine s) {
    return s.state() != 'Z' && s.state() != 'X' && !s.kernelThread();
  }

  /** Waits until every member is stopped or gone; false when the deadline came first. */
  private boolean awaitStopped(ProcReader reader, long deadline) {
    while (true) {
      boolean all = true;
      for (Map.Entry<Integer, ProcessDescriptor> m : members.entrySet()) {
        if (!m.getValue().exited() && !stoppedOrGone(reader.stat(m.getKey()))) {
          all = false;
          break;
        }
      }
      if (all) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(SETTLE_POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  private static boolean stoppedOrGone(Optional<StatLine> s) {
    if (s.isEmpty()) {
      return true;
    }
    char state = s.get().state();
    return state == 'T' || state == 't' || state == 'Z' || state == 'X';
  }

  /** The members, root first; each descriptor stays owned by the tree. */
  Map<Integer, ProcessDescriptor> members() {
    return members;
  }

  /** True when the tree had more processes than the walk may hold; the rest were not stopped. */
  boolean overflow() {
    return overflow;
  }

  /** True when every member was seen stopped before the last listing. */
  boolean settled() {
    return settled;
  }

  /**
   * A member that was stopped before the walk (job control, a debugger) stays stopped when the walk
   * is undone.
   */
  private void noteStoppedBefore(int pid, Optional<StatLine> s) {
    if (s.isPresent() && (s.get().state() == 'T' || s.get().state() == 't')) {
      stoppedBefore.add(pid);
    }
  }

  /**
   * Sends SIGCONT to every member the walk stopped (best effort): for a walk that ends without a
   * kill.
   */
  void resume() {
    for (Map.Entry<Integer, ProcessDescriptor> m : members.entrySet()) {
      if (stoppedBefore.contains(m.getKey())) {
        continue;
      }
      ProcessDescriptor d = m.getValue();
      try {
        d.signal(ProcessDescriptor.SIGCONT);
      } catch (ProcessDescriptorException e) {
        // gone already, or not ours to signal: nothing left to resume
      }
    }
  }

  /** Closes the members' descriptors, except the root's (the caller's). */
  @Override
  public void close() {
    for (ProcessDescriptor d : members.values()) {
      if (d != root) {
        d.close();
      }
    }
  }
}
