package io.vigil.agent.sensor.file;

import io.vigil.proto.v1.FileEvent.Action;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Merges repeated notifications of one path by one process into one change per window, so that a
 * log appended 10,000 times a second is one MODIFY event with a count, and a file created and
 * written once is one CREATE event with {@code closed_after_write}.
 *
 * <p>Pending changes are keyed by (path, pid, kind) with kind write (a CREATE or MODIFY that later
 * writes and the closing CLOSE_WRITE join), attribute or open. A pending change leaves when its
 * window ends, when its writer closes the file, when the path is deleted or renamed (so a create is
 * still reported before the delete that follows it), or, when the table is full, oldest first.
 * Creations of directories, deletions and renames leave at once. A CLOSE_WRITE with nothing pending
 * makes no change: the file was opened for writing and nothing was written.
 *
 * <p>Of a DELETE and a DELETE_SELF of the same path by the same process in a row, within one window
 * (inotify reports both when a watched directory is removed), the second is absorbed.
 *
 * <p>A rename the source could not pair becomes a rename with one side empty: {@code MOVED_FROM}
 * alone has {@code path = ""}, {@code MOVED_TO} alone has {@code old_path = ""}.
 *
 * <p>When several operation bits arrive in one notification (the kernel merges queued ones) they
 * are taken in the order create, modify, attribute, open, close-write, delete; except that a create
 * and a delete of an entry that exists now are taken delete first (it was replaced). A directory's
 * rename first emits the pending changes below it, under their old paths. Not thread-safe: the
 * sensor's reader thread owns it.
 */
final class Coalescer {
  private enum Kind {
    WRITE,
    ATTRIB,
    OPEN
  }

  private record Key(String path, int pid, Kind kind) {}

  private static final class Entry {
    final Key key;
    final Action action;
    final boolean directory;
    final long startedNanos;
    final long firstTimeNs;
    long lastTimeNs;
    long count = 1;
    boolean closed;
    long touchedBy; // serial of the last notification that counted here

    Entry(Key key, Action action, boolean directory, long startedNanos, long timeNs, long serial) {
      this.key = key;
      this.action = action;
      this.directory = directory;
      this.startedNanos = startedNanos;
      this.firstTimeNs = timeNs;
      this.lastTimeNs = timeNs;
      this.touchedBy = serial;
    }
  }

  /** What became of one notification, for the counters. */
  enum Outcome {
    /** It started a pending change or made a change at once. */
    NEW,
    /** It only joined pending changes. */
    COALESCED,
    /** It changed nothing (a close with nothing written, a repeated delete). */
    ABSORBED
  }

  private final long windowNanos;
  private final int maxPending;
  private final Consumer<FileChange> out;
  private final Predicate<String> exists;
  // Insertion order is start order (the clock never goes back), so expiry looks at the head only.
  private final LinkedHashMap<Key, Entry> pending = new LinkedHashMap<>();
  private final Map<String, List<Entry>> byPath = new HashMap<>();
  private long serial;
  private long evictions;
  private String lastDeletePath;
  private int lastDeletePid;
  private long lastDeleteNanos;

  /**
   * @param windowNanos how long a pending change collects notifications
   * @param maxPending most pending changes; beyond, the oldest leaves early
   * @param out receives each change, in order, on the calling thread
   */
  Coalescer(long windowNanos, int maxPending, Consumer<FileChange> out) {
    this(windowNanos, maxPending, out, p -> FileStat.lstat(p).isPresent());
  }

  /**
   * @param exists whether an entry is at a path now (an {@code lstat}; only asked when one
   *     notification carries both a create and a delete)
   */
  Coalescer(long windowNanos, int maxPending, Consumer<FileChange> out, Predicate<String> exists) {
    this.exists = exists;
    if (windowNanos <= 0 || maxPending < 1) {
      throw new IllegalArgumentException("window and table size must be positive");
    }
    this.windowNanos = windowNanos;
    this.maxPending = maxPending;
    this.out = out;
  }

  /** Takes one filtered notification (not an overflow), at monotonic time {@code nowNanos}. */
  Outcome accept(FileNotification n, long nowNanos) {
    long m = n.mask();
    long deletes = FileOps.DELETE | FileOps.DELETE_SELF;
    if ((m & FileOps.CREATE) != 0
        && (m & deletes) != 0
        && (m & FileOps.RENAME) == 0
        && exists.test(n.path())) {
      // fanotify merged a delete and a create of one name by one process into one mask, losing
      // their order; the entry exists now, so it was deleted, then created (install over a file).
      Outcome delete =
          accept(
              new FileNotification(
                  m & (deletes | FileOps.ONDIR), n.pid(), n.path(), n.oldPath(), n.timeNs()),
              nowNanos);
      Outcome rest =
          accept(
              new FileNotification(m & ~deletes, n.pid(), n.path(), n.oldPath(), n.timeNs()),
              nowNanos);
      return delete == Outcome.NEW || rest == Outcome.NEW
          ? Outcome.NEW
          : delete == Outcome.COALESCED || rest == Outcome.COALESCED
              ? Outcome.COALESCED
              : Outcome.ABSORBED;
    }
    long s = ++serial;
    String path = n.path();
    int pid = n.pid();
    boolean dir = n.directory();
    boolean made = false;
    boolean joined = false;
    boolean isDelete = (m & (FileOps.DELETE | FileOps.DELETE_SELF)) != 0;
    if (!isDelete || (m & ~(FileOps.DELETE | FileOps.DELETE_SELF | FileOps.ONDIR)) != 0) {
      forgetDelete(path, n.oldPath());
    }
    if ((m & FileOps.RENAME) != 0) {
      String old = n.oldPath() == null ? "" : n.oldPath();
      if (dir) {
        flushUnder(old);
      }
      flushPath(old);
      flushPath(path);
      emit(Action.ACTION_RENAME, path, old, pid, dir, n.timeNs());
      return Outcome.NEW;
    }
    if ((m & FileOps.MOVED_FROM) != 0) {
      if (dir) {
        flushUnder(path);
      }
      flushPath(path);
      emit(Action.ACTION_RENAME, "", path, pid, dir, n.timeNs());
      made = true;
    }
    if ((m & FileOps.MOVED_TO) != 0) {
      flushPath(path);
      emit(Action.ACTION_RENAME, path, "", pid, dir, n.timeNs());
      made = true;
    }
    if ((m & FileOps.CREATE) != 0) {
      if (dir) {
        emit(Action.ACTION_CREATE, path, "", pid, true, n.timeNs());
      } else {
        Key k = new Key(path, pid, Kind.WRITE);
        Entry old = pending.get(k);
        if (old != null) {
          flush(old);
        }
        start(k, Action.ACTION_CREATE, false, nowNanos, n.timeNs(), s);
      }
      made = true;
    }
    if ((m & FileOps.MODIFY) != 0) {
      if (join(new Key(path, pid, Kind.WRITE), n, s)) {
        joined = true;
      } else {
        start(new Key(path, pid, Kind.WRITE), Action.ACTION_MODIFY, dir, nowNanos, n.timeNs(), s);
        made = true;
      }
    }
    if ((m & FileOps.ATTRIB) != 0) {
      if (join(new Key(path, pid, Kind.ATTRIB), n, s)) {
        joined = true;
      } else {
        start(
            new Key(path, pid, Kind.ATTRIB), Action.ACTION_ATTRIBUTE, dir, nowNanos, n.timeNs(), s);
        made = true;
      }
    }
    if ((m & FileOps.OPEN) != 0) {
      if (join(new Key(path, pid, Kind.OPEN), n, s)) {
        joined = true;
      } else {
        start(new Key(path, pid, Kind.OPEN), Action.ACTION_OPEN, dir, nowNanos, n.timeNs(), s);
        made = true;
      }
    }
    if ((m & FileOps.CLOSE_WRITE) != 0) {
      Key k = new Key(path, pid, Kind.WRITE);
      if (join(k, n, s)) {
        Entry e = pending.get(k);
        e.closed = true;
        flush(e);
        joined = true;
      }
    }
    if (isDelete) {
      if (path.equals(lastDeletePath)
          && pid == lastDeletePid
          && nowNanos - lastDeleteNanos < windowNanos) {
        // the second half of inotify's DELETE + DELETE_SELF pair
      } else {
        flushPath(path);
        emit(Action.ACTION_DELETE, path, "", pid, dir, n.timeNs());
        lastDeletePath = path;
        lastDeletePid = pid;
        lastDeleteNanos = nowNanos;
        made = true;
      }
    }
    return made ? Outcome.NEW : joined ? Outcome.COALESCED : Outcome.ABSORBED;
  }

  /** Emits every pending change whose window has ended by {@code nowNanos}. */
  void flushExpired(long nowNanos) {
    Iterator<Entry> it = pending.values().iterator();
    while (it.hasNext()) {
      Entry e = it.next();
      if (nowNanos - e.startedNanos < windowNanos) {
        return;
      }
      it.remove();
      unindex(e);
      out.accept(change(e));
    }
  }

  /** Emits every pending change, oldest first (at close). */
  void flushAll() {
    while (!pending.isEmpty()) {
      flush(pending.values().iterator().next());
    }
  }

  /** Pending changes now. */
  int pending() {
    return pending.size();
  }

  /** Pending changes emitted early because the table was full. */
  long evictions() {
    return evictions;
  }

  /** Adds {@code n} to the pending change {@code k}, if there is one; false when there is none. */
  private boolean join(Key k, FileNotification n, long s) {
    Entry e = pending.get(k);
    if (e == null) {
      return false;
    }
    if (e.touchedBy != s) { // one notification counts once, whatever bits it carries
      e.count++;
      e.touchedBy = s;
    }
    e.lastTimeNs = Math.max(e.lastTimeNs, n.timeNs());
    return true;
  }

  private void start(Key k, Action action, boolean dir, long nowNanos, long timeNs, long s) {
    while (pending.size() >= maxPending) {
      evictions++;
      flush(pending.values().iterator().next());
    }
    Entry e = new Entry(k, action, dir, nowNanos, timeNs, s);
    pending.put(k, e);
    byPath.computeIfAbsent(k.path(), p -> new ArrayList<>(2)).add(e);
  }

  private void flushPath(String path) {
    List<Entry> entries = byPath.get(path);
    if (entries == null) {
      return;
    }
    // In start order, so a create is emitted before a later attribute change of the same file.
    for (Entry e : new ArrayList<>(entries)) {
      flush(e);
    }
  }

  /**
   * Emits the pending changes of entries below the directory {@code dir}, in start order, before
   * its rename: they still carry the old path, and must not follow the rename that made it stale.
   */
  private void flushUnder(String dir) {
    if (dir.isEmpty() || pending.isEmpty()) {
      return;
    }
    String prefix = dir.endsWith("/") ? dir : dir + "/";
    List<Entry> below = new ArrayList<>();
    for (Entry e : pending.values()) {
      if (e.key.path().startsWith(prefix)) {
        below.add(e);
      }
    }
    for (Entry e : below) {
      flush(e);
    }
  }

  private void flush(Entry e) {
    pending.remove(e.key);
    unindex(e);
    out.accept(change(e));
  }

  private void unindex(Entry e) {
    List<Entry> entries = byPath.get(e.key.path());
    if (entries != null) {
      entries.remove(e);
      if (entries.isEmpty()) {
        byPath.remove(e.key.path());
      }
    }
  }

  private void forgetDelete(String path, String oldPath) {
    if (lastDeletePath != null && (lastDeletePath.equals(path) || lastDeletePath.equals(oldPath))) {
      lastDeletePath = null;
    }
  }

  private void emit(Action action, String path, String old, int pid, boolean dir, long timeNs) {
    out.accept(new FileChange(action, path, old, pid, dir, 1, timeNs, timeNs, false));
  }

  private static FileChange change(Entry e) {
    return new FileChange(
        e.action,
        e.key.path(),
        "",
        e.key.pid(),
        e.directory,
        e.count,
        e.firstTimeNs,
        e.lastTimeNs,
        e.closed);
  }
}
