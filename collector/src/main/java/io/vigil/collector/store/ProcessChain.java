package io.vigil.collector.store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The ancestry of an alert's acting process, walked up the process table: parent first, then
 * grandparent, up to the session leader (or, for a process outside any audit session, up to init).
 *
 * <p>Parent links come from the agent's events, which an attacker on the host can shape only as far
 * as the kernel lets them, but the table may still hold anything (a lost exec, a replayed stream
 * from another boot); so the walk trusts nothing: it stops at a missing row, at an entity id it has
 * already seen (a cycle in parent links) and after {@link #MAX_DEPTH} links. Stateless.
 */
final class ProcessChain {
  /** Links at most; a deeper chain ends with {@link End#DEPTH_LIMIT}. */
  static final int MAX_DEPTH = 32;

  private ProcessChain() {}

  /**
   * One process of the table (or, for the first link only, as the acting event names its parent).
   *
   * @param parentEntityId empty when unknown
   * @param sessionId the audit session id, -1 when unset or unknown
   * @param stored whether the node is a process-table row (false: only what the event said about
   *     the parent, so nothing above it is known)
   */
  record Node(
      String entityId,
      long pid,
      String parentEntityId,
      String image,
      String commandLine,
      String user,
      long sessionId,
      boolean stored) {}

  /** Finds an agent's process by entity id; null when the table has no row for it. */
  @FunctionalInterface
  interface Lookup {
    Node find(String entityId);
  }

  /** Why the chain ends where it does; {@link #label} is what the alert's JSON says. */
  enum End {
    /** The last link is the topmost ancestor in the acting process's audit session. */
    SESSION_LEADER("session_leader"),
    /**
     * Reserved in the alert JSON format; the walk does not produce it (unset and unknown session
     * ids are both -1 by the time they reach the store, so they cannot be told apart).
     */
    NO_SESSION("no_session"),
    /** The next parent is not in the table (its exec was not seen), or the links form a cycle. */
    UNKNOWN_PARENT("unknown_parent"),
    /** The last link is pid 1. */
    INIT("init"),
    /** {@link #MAX_DEPTH} links were walked and there is more above. */
    DEPTH_LIMIT("depth_limit");

    final String label;

    End(String label) {
      this.label = label;
    }
  }

  /**
   * The acting process as the alert shows it and its ancestors.
   *
   * @param self the acting process: the event's view of it, gaps filled from its table row
   * @param chain parent first
   */
  record Walk(Node self, List<Node> chain, End end) {}

  /**
   * Walks the ancestry of {@code acting}. The first link is the parent the event names, or else the
   * parent the acting process's own table row names; the rest follow table rows. With a session id
   * (the event's, else the table row's) the walk stops below the first ancestor of another session;
   * without one it goes to pid 1.
   */
  static Walk walk(ProcessFacts acting, Lookup lookup) {
    Node row = lookup.find(acting.entityId());
    long session = acting.sessionId() != -1 ? acting.sessionId() : sessionOf(row);
    Node self =
        new Node(
            acting.entityId(),
            acting.pid(),
            !acting.parentEntityId().isEmpty()
                ? acting.parentEntityId()
                : row == null ? "" : row.parentEntityId(),
            orElse(acting.image(), row == null ? "" : row.image()),
            orElse(acting.commandLine(), row == null ? "" : row.commandLine()),
            orElse(acting.user(), row == null ? "" : row.user()),
            session,
            row != null);
    List<Node> chain = new ArrayList<>();
    if (self.pid() == 1) {
      return new Walk(self, chain, End.INIT);
    }
    Node next = self.parentEntityId().isEmpty() ? null : lookup.find(self.parentEntityId());
    if (next == null && !acting.parentEntityId().isEmpty()) {
      // The event names its parent even when the parent's own exec was never seen (it started
      // before the agent): one link, nothing above it.
      next =
          new Node(
              acting.parentEntityId(),
              acting.parentPid(),
              "",
              acting.parentImage(),
              acting.parentCommandLine(),
              "",
              -1,
              false);
    }
    Set<String> seen = new HashSet<>();
    seen.add(self.entityId());
    while (true) {
      if (next == null || !seen.add(next.entityId())) {
        return new Walk(self, chain, End.UNKNOWN_PARENT);
      }
      if (session != -1 && next.stored() && next.sessionId() != session) {
        return new Walk(self, chain, End.SESSION_LEADER);
      }
      if (chain.size() == MAX_DEPTH) {
        return new Walk(self, chain, End.DEPTH_LIMIT);
      }
      chain.add(next);
      if (next.pid() == 1) {
        return new Walk(self, chain, End.INIT);
      }
      if (!next.stored() || next.parentEntityId().isEmpty()) {
        return new Walk(self, chain, End.UNKNOWN_PARENT);
      }
      next = lookup.find(next.parentEntityId());
    }
  }

  private static long sessionOf(Node row) {
    return row == null ? -1 : row.sessionId();
  }

  private static String orElse(String s, String fallback) {
    return s == null || s.isEmpty() ? (fallback == null ? "" : fallback) : s;
  }
}
