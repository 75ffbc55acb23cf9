package io.vigil.agent.sensor.file.source;

import java.util.ArrayDeque;
import java.util.function.IntSupplier;

/**
 * The directories an inotify walk has still to watch, bounded by the watch limit when they are
 * added: a directory that would need a new watch is refused once the watches in place plus those
 * already queued reach the limit. A directory moved in with a million subdirectories thus costs at
 * most the limit in queued entries, not one per subdirectory. Not thread-safe.
 */
final class WalkQueue {
  private record Entry(WatchTable.Watch dir, boolean watched) {}

  private final ArrayDeque<Entry> queue = new ArrayDeque<>();
  private final IntSupplier watches;
  private final int maxWatches;
  private int fresh;

  /**
   * @param watches the number of watches in place now
   * @param maxWatches the limit they may not exceed
   */
  WalkQueue(IntSupplier watches, int maxWatches) {
    this.watches = watches;
    this.maxWatches = maxWatches;
  }

  /**
   * Queues {@code dir}.
   *
   * @param watched already watched: walking it again costs no new watch (after an overflow)
   * @return false when refused at the limit (the caller counts it)
   */
  boolean offer(WatchTable.Watch dir, boolean watched) {
    if (!watched) {
      if (watches.getAsInt() + fresh >= maxWatches) {
        return false;
      }
      fresh++;
    }
    queue.add(new Entry(dir, watched));
    return true;
  }

  /** The next directory, or null when the walk is done. */
  WatchTable.Watch poll() {
    Entry e = queue.poll();
    if (e == null) {
      return null;
    }
    if (!e.watched()) {
      fresh--;
    }
    return e.dir();
  }

  int size() {
    return queue.size();
  }
}
