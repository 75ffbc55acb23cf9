package io.vigil.agent.sensor.file.source;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Joins inotify's two rename halves, {@code IN_MOVED_FROM} then {@code IN_MOVED_TO} with the same
 * cookie, into one rename. The kernel queues the halves back to back, so a FROM is held only until
 * its TO arrives or the caller gives up on it ({@link #drain}); a TO without a held FROM was moved
 * in from outside the watches. At most {@link #MAX_HELD} FROMs are held; beyond that the oldest is
 * given up. Not thread-safe.
 */
final class RenameJoiner {
  static final int MAX_HELD = 1024;

  /**
   * One half.
   *
   * @param mask the inotify mask (with {@code IN_ISDIR} for a directory)
   * @param cookie joins the halves
   * @param path path text
   * @param raw raw path
   */
  record Move(int mask, int cookie, String path, byte[] raw) {}

  private final LinkedHashMap<Integer, Move> held = new LinkedHashMap<>();

  /**
   * Holds a FROM half.
   *
   * @return a FROM given up to keep the bound (to be handed on alone), or null
   */
  Move from(Move m) {
    Move old = held.put(m.cookie(), m);
    if (old != null) {
      return old; // a cookie reused: the earlier half will never be joined
    }
    if (held.size() > MAX_HELD) {
      Iterator<Move> it = held.values().iterator();
      Move eldest = it.next();
      it.remove();
      return eldest;
    }
    return null;
  }

  /** The held FROM half of a TO half, removed; null when none is held (moved in). */
  Move to(Move m) {
    return held.remove(m.cookie());
  }

  /** True when the FROM half with {@code cookie} waits. */
  boolean holds(int cookie) {
    return held.containsKey(cookie);
  }

  /** True while a FROM half waits. */
  boolean holding() {
    return !held.isEmpty();
  }

  /** Gives up every held FROM half, oldest first. */
  List<Move> drain() {
    List<Move> out = new ArrayList<>(held.values());
    held.clear();
    return out;
  }
}
