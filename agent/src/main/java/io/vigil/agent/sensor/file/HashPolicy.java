package io.vigil.agent.sensor.file;

import io.vigil.proto.v1.FileEvent.Action;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which changes get hashes, because threat-intel hash indicators are about new executables:
 *
 * <ol>
 *   <li>a created or modified regular file under a binary directory ({@code /usr/bin}, ...);
 *   <li>an attribute change of a regular file that now has an execute bit and was created or
 *       modified within the last ten minutes (written, then made executable);
 *   <li>a created or modified regular file that already has an execute bit;
 *   <li>a regular file renamed into a binary directory or renamed while executable ({@code mv
 *       payload /usr/local/bin/x} on one file system is a rename only).
 * </ol>
 *
 * Recent writes are remembered in a bounded LRU of paths (a rename carries the memory along).
 * Thread-safe: the reader observes every change, the processor asks about admitted ones.
 */
final class HashPolicy {
  static final long RECENT_WRITE_NANOS = 10L * 60 * 1_000_000_000L;
  static final int MAX_RECENT_WRITES = 4096;

  private final PathPatterns binaryDirs;
  private final Map<String, Long> recentWrites =
      new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > MAX_RECENT_WRITES;
        }
      };

  HashPolicy(PathPatterns binaryDirs) {
    this.binaryDirs = binaryDirs;
  }

  /** Remembers writes (before rate control, so a dropped write still counts). */
  synchronized void observe(FileChange c, long nowNanos) {
    switch (c.action()) {
      case ACTION_CREATE, ACTION_MODIFY -> {
        if (!c.directory()) {
          recentWrites.remove(c.path()); // re-insert: the order is by last write
          recentWrites.put(c.path(), nowNanos);
        }
      }
      case ACTION_RENAME -> {
        Long at = c.oldPath().isEmpty() ? null : recentWrites.remove(c.oldPath());
        if (at != null && !c.path().isEmpty()) {
          recentWrites.put(c.path(), at);
        }
      }
      case ACTION_DELETE -> recentWrites.remove(c.path());
      default -> {}
    }
  }

  /** True when the event of {@code c} gets hashes; {@code stat} is the entry now. */
  synchronized boolean wants(FileChange c, Optional<FileStat> stat, long nowNanos) {
    if (stat.isEmpty() || !stat.get().regular() || c.path().isEmpty()) {
      return false;
    }
    FileStat s = stat.get();
    Action a = c.action();
    if (a == Action.ACTION_CREATE || a == Action.ACTION_MODIFY || a == Action.ACTION_RENAME) {
      return s.executable() || binaryDirs.covers(c.path());
    }
    if (a == Action.ACTION_ATTRIBUTE && s.executable()) {
      Long at = recentWrites.get(c.path());
      return at != null && nowNanos - at <= RECENT_WRITE_NANOS;
    }
    return false;
  }
}
