package io.vigil.agent.sensor.file.source;

import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_ATTRIB;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_CLOSE_WRITE;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_CREATE;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_DELETE;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_DELETE_SELF;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_DONT_FOLLOW;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_EXCL_UNLINK;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_IGNORED;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_ISDIR;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_MASK_ADD;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_MODIFY;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_MOVED_FROM;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_MOVED_TO;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_MOVE_SELF;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_ONLYDIR;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_OPEN;
import static io.vigil.agent.platform.linux.InotifyDescriptor.IN_Q_OVERFLOW;

import io.vigil.agent.platform.linux.DirectoryReader;
import io.vigil.agent.platform.linux.Errno;
import io.vigil.agent.platform.linux.FileNotifyException;
import io.vigil.agent.platform.linux.InotifyDescriptor;
import io.vigil.agent.platform.linux.InotifyEvent;
import io.vigil.agent.platform.linux.InotifyEventParser;
import io.vigil.agent.platform.linux.NativeBuffer;
import io.vigil.agent.platform.linux.PathStatus;
import io.vigil.agent.sensor.file.FileNotification;
import io.vigil.agent.sensor.file.FileOps;
import io.vigil.agent.sensor.file.NotificationSource;
import io.vigil.agent.sensor.file.WatchPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * inotify, the fallback: a watch on every directory of every tree (none in excluded subtrees or
 * kernel-interface mounts, at most {@link WatchPlan#maxWatches}), {@code IN_OPEN} watches for
 * opened paths. Notifications never name the process ({@code pid} 0), and the agent's own changes
 * cannot be told apart.
 *
 * <p>Keeps the watches recursive: a directory created inside a tree is watched at once, and its
 * entries created before the watch existed are handed on as {@link FileOps#CREATE} (they would be
 * lost otherwise; one may then be reported twice). Rename halves are joined by cookie into one
 * {@link FileOps#RENAME} (the kernel queues them back to back; a FROM is held only until the next
 * event, or 10 ms when it ends a read); a half whose partner is outside the watches is handed on
 * alone as {@link FileOps#MOVED_FROM} or {@link FileOps#MOVED_TO}. A renamed directory's watches
 * follow it; one moved out is unwatched, one moved in is watched (its entries are not reported as
 * created). After a queue overflow the trees are walked again, at most every 5 s, to watch what was
 * missed.
 *
 * <p>A tree root moved away or deleted is handed on as {@link FileOps#MOVED_FROM} (or {@link
 * FileOps#DELETE_SELF}) of the root; its watches are dropped, so that changes in the moved tree are
 * not reported under the root's path, and the root's parent is watched for a directory of the
 * root's name. When one appears (also if missing when the source opens) it is handed on as created
 * (or moved in), walked, and its entries handed on as {@link FileOps#CREATE}. The walk queue is
 * bounded by the watch limit ({@link WalkQueue}).
 *
 * <p>Counters: {@code watches} (current), {@code unwatched_dirs} (directories left unwatched at the
 * limit or by {@code fs.inotify.max_user_watches}; their subdirectories are not counted), {@code
 * notifications}, {@code overflows}, {@code malformed}, {@code path_too_long}, {@code
 * synthesized_creates}, {@code unpaired_moves}, {@code watch_errors} (other watch failures, e.g.
 * permissions), {@code rewalks}, {@code missing_roots} (current: roots gone, awaited), {@code
 * root_rewatches} (roots watched again after they reappeared).
 *
 * <p>Thread-safety as {@link FanotifySource}: one polling thread; {@link #close} and {@link
 * #counters} from any thread.
 */
public final class InotifySource implements NotificationSource {
  /** The source name, {@code FileEvent.source}. */
  public static final String NAME = "inotify";

  static final int TREE_MASK =
      IN_CREATE
          | IN_DELETE
          | IN_MODIFY
          | IN_CLOSE_WRITE
          | IN_ATTRIB
          | IN_MOVED_FROM
          | IN_MOVED_TO
          | IN_DELETE_SELF
          | IN_MOVE_SELF
          | IN_DONT_FOLLOW
          | IN_EXCL_UNLINK
          | IN_ONLYDIR
          // A directory both in a tree and opened keeps both masks, whichever is added last.
          | IN_MASK_ADD;
  static final int OPEN_MASK = IN_OPEN | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_ADD;
  // The parent of a root moved away or deleted, until a directory of the root's name appears.
  static final int PARENT_MASK =
      IN_CREATE | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_ADD;

  private static final int REPORTED_BITS = 0xFFF | IN_ISDIR;
  private static final int BUFFER_BYTES = 64 * 1024;
  private static final int MAX_READS_PER_POLL = 16;
  private static final int SLICE_MILLIS = 100;
  // How long a rename's FROM half waits for its TO half queued right behind it.
  private static final int MOVE_WAIT_MILLIS = 10;
  private static final long REWALK_INTERVAL_NS = 5_000_000_000L;

  private record Root(String path, byte[] raw) {}

  private final InotifyDescriptor ino;
  private final List<Root> roots = new ArrayList<>();
  private final PathInterest interest;
  private final List<String> pseudoMounts = new ArrayList<>();
  private final Map<String, byte[]> openedFiles = new HashMap<>();
  private final List<byte[]> opened = new ArrayList<>();
  // Roots moved away or deleted, by path, until a directory of that name appears again.
  private final Map<String, Root> missing = new HashMap<>();
  private final int maxWatches;
  private final WatchTable table = new WatchTable();
  private final RenameJoiner joiner = new RenameJoiner();
  private final DirectoryReader reader = new DirectoryReader();
  private final ReentrantLock lock = new ReentrantLock();
  private final NativeBuffer buffer = new NativeBuffer(BUFFER_BYTES);
  private volatile boolean closed;
  private boolean released;
  private boolean rewalkDue;
  private long lastRewalk = System.nanoTime() - REWALK_INTERVAL_NS;

  private final SourceCounters counters = new SourceCounters();
  private final AtomicLong watches = counters.counter("watches");
  private final AtomicLong unwatched = counters.counter("unwatched_dirs");
  private final AtomicLong notifications = counters.counter("notifications");
  private final AtomicLong overflows = counters.counter("overflows");
  private final AtomicLong malformed = counters.counter("malformed");
  private final AtomicLong pathTooLong = counters.counter("path_too_long");
  private final AtomicLong synthesized = counters.counter("synthesized_creates");
  private final AtomicLong unpaired = counters.counter("unpaired_moves");
  private final AtomicLong watchErrors = counters.counter("watch_errors");
  private final AtomicLong rewalks = counters.counter("rewalks");
  private final AtomicLong missingRoots = counters.counter("missing_roots");
  private final AtomicLong rootRewatches = counters.counter("root_rewatches");

  private InotifySource(InotifyDescriptor ino, WatchPlan plan) {
    this.ino = ino;
    this.interest = new PathInterest(plan);
    this.maxWatches = plan.maxWatches();
    for (Path t : plan.trees()) {
      roots.add(new Root(PathText.of(t), PathText.raw(t)));
    }
    for (Path p : plan.opened()) {
      opened.add(PathText.raw(p));
    }
  }

  /**
   * Opens an instance and watches {@code plan}.
   *
   * @throws IOException when inotify cannot be initialised (the message says why)
   */
  public static InotifySource open(WatchPlan plan) throws IOException {
    InotifyDescriptor ino;
    try {
      ino = InotifyDescriptor.open();
    } catch (FileNotifyException e) {
      throw new IOException(FailureReasons.inotify(e), e);
    }
    InotifySource s = new InotifySource(ino, plan);
    try {
      s.findPseudoMounts();
      for (Root r : s.roots) {
        if (absent(r.raw())) {
          s.rootGone(r, 0, null); // watched once created
        } else {
          s.walk(r.path(), r.raw(), true, false, 0, null);
        }
      }
      for (byte[] raw : s.opened) {
        s.watchOpened(raw);
      }
      s.watches.set(s.table.size());
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private static boolean absent(byte[] raw) {
    try {
      return PathStatus.of(raw, false) == null;
    } catch (FileNotifyException e) {
      return false; // there but not stat-able: the walk counts why it cannot be watched
    }
  }

  private void findPseudoMounts() {
    try {
      MountTable t = MountTable.read();
      for (Root r : roots) {
        for (MountTable.Mount m : t.below(r.path())) {
          if (t.pseudo(m)) {
            pseudoMounts.add(m.mountPoint());
          }
        }
      }
    } catch (IOException e) {
      // Without the mount table, kernel-interface mounts inside a tree are walked like the rest;
      // the watch limit still bounds the cost.
    }
  }

  private boolean skipped(String path) {
    if (interest.excluded(path)) {
      return true;
    }
    for (String m : pseudoMounts) {
      if (PathText.under(path, m)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Watches {@code dir} and the directories below it.
   *
   * @param synthesize hand on a CREATE for every entry found (the directory was just created)
   */
  private void walk(
      String dir,
      byte[] dirRaw,
      boolean root,
      boolean synthesize,
      long now,
      Consumer<FileNotification> out) {
    WalkQueue queue = new WalkQueue(table::size, maxWatches);
    queue.offer(new WatchTable.Watch(dir, dirRaw), true); // the limit is checked below
    boolean first = true;
    WatchTable.Watch d;
    while (!closed && (d = queue.poll()) != null) {
      boolean isRoot = root && first;
      first = false;
      if (skipped(d.path)) {
        continue;
      }
      if (table.size() >= maxWatches && table.wd(d.path) == null) {
        unwatched.incrementAndGet();
        continue;
      }
      try {
        int wd = ino.addWatch(d.raw, TREE_MASK);
        WatchTable.Watch w = table.put(wd, d.path, d.raw);
        w.tree = true;
        w.root |= isRoot;
      } catch (FileNotifyException e) {
        countWatchFailure(e);
        continue;
      }
      WatchTable.Watch listed = d;
      try {
        reader.list(
            listed.raw,
            entry -> {
              byte[] raw = DirectoryReader.child(listed.raw, entry.name());
              if (raw.length > PathText.MAX_PATH_BYTES) {
                pathTooLong.incrementAndGet();
                return;
              }
              String path = PathText.join(listed.path, PathText.of(entry.name()));
              if (synthesize) {
                long bits = FileOps.CREATE | (entry.directory() ? FileOps.ONDIR : 0);
                synthesized.incrementAndGet();
                emit(new FileNotification(bits, 0, path, null, now), out);
              }
              if (entry.directory()
                  && !skipped(path)
                  && !queue.offer(new WatchTable.Watch(path, raw), table.wd(path) != null)) {
                unwatched.incrementAndGet();
              }
            });
      } catch (FileNotifyException e) {
        // Deleted or replaced while walking: its deletion is reported by its parent's watch.
      }
    }
  }

  private void countWatchFailure(FileNotifyException e) {
    switch (e.errno()) {
      case Errno.ENOENT, Errno.ENOTDIR, Errno.ELOOP -> {} // gone or no longer a directory
      case Errno.ENOSPC -> unwatched.incrementAndGet();
      default -> watchErrors.incrementAndGet();
    }
  }

  private void watchOpened(byte[] raw) {
    String path = PathText.of(raw);
    try {
      PathStatus st = PathStatus.of(raw, true);
      if (st == null || !st.directory()) {
        openedFiles.put(path, raw); // watched again when created
      }
      if (st == null) {
        return;
      }
      if (table.size() >= maxWatches && table.wd(path) == null) {
        unwatched.incrementAndGet();
        return;
      }
      int wd = ino.addWatch(raw, OPEN_MASK | (st.directory() ? IN_ONLYDIR : 0));
      WatchTable.Watch w = table.put(wd, path, raw);
      if (st.directory()) {
        w.openedDir = true;
      } else {
        w.openedFile = true;
      }
    } catch (FileNotifyException e) {
      countWatchFailure(e);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int poll(int timeoutMillis, Consumer<FileNotification> out) throws IOException {
    lock.lock();
    try {
      if (closed) {
        return 0;
      }
      long before = notifications.get();
      long deadline = System.nanoTime() + Math.max(0, timeoutMillis) * 1_000_000L;
      boolean ready;
      while (!(ready = ino.await(FanotifySource.sliceMillis(deadline)))) {
        if (closed || System.nanoTime() >= deadline) {
          break;
        }
      }
      if (ready) {
        drain(out);
      }
      if (joiner.holding() && !closed && ino.await(MOVE_WAIT_MILLIS)) {
        readOnce(out);
      }
      for (RenameJoiner.Move m : joiner.drain()) {
        movedOut(m, PathText.nowNanos(), out);
      }
      if (rewalkDue && System.nanoTime() - lastRewalk >= REWALK_INTERVAL_NS && !closed) {
        rewalk(out);
      }
      watches.set(table.size());
      return (int) (notifications.get() - before);
    } finally {
      lock.unlock();
    }
  }

  private void drain(Consumer<FileNotification> out) throws IOException {
    for (int i = 0; i < MAX_READS_PER_POLL && !closed; i++) {
      if (!readOnce(out)) {
        return;
      }
    }
  }

  private boolean readOnce(Consumer<FileNotification> out) throws IOException {
    int n = ino.read(buffer);
    if (n == 0) {
      return false;
    }
    InotifyEventParser.Result r = InotifyEventParser.parse(buffer.view(n));
    malformed.addAndGet(r.malformed());
    long now = PathText.nowNanos();
    for (InotifyEvent e : r.events()) {
      if (closed) {
        break;
      }
      handle(e, now, out);
    }
    return true;
  }

  private void handle(InotifyEvent e, long now, Consumer<FileNotification> out) {
    int mask = e.mask();
    if ((mask & IN_Q_OVERFLOW) != 0) {
      for (RenameJoiner.Move m : joiner.drain()) {
        movedOut(m, now, out);
      }
      overflows.incrementAndGet();
      rewalkDue = true;
      emit(new FileNotification(FileOps.OVERFLOW, 0, "", null, now), out);
      return;
    }
    if (joiner.holding() && !((mask & IN_MOVED_TO) != 0 && joiner.holds(e.cookie()))) {
      // The kernel queues a rename's halves back to back: a held FROM whose TO is not next was
      // moved out. Deciding now unwatches a moved-out directory before its later events.
      for (RenameJoiner.Move m : joiner.drain()) {
        movedOut(m, now, out);
      }
    }
    if ((mask & IN_IGNORED) != 0) {
      table.remove(e.wd());
      return;
    }
    WatchTable.Watch w = table.get(e.wd());
    if (w == null) {
      return; // a watch removed by us; its last events may still be queued
    }
    boolean self = e.name().length == 0;
    if (self && !w.root && !w.openedFile) {
      // A directory's own events are also reported, with its name, by its parent's watch.
      return;
    }
    String path;
    byte[] raw;
    if (self) {
      path = w.path;
      raw = w.raw;
    } else {
      raw = DirectoryReader.child(w.raw, e.name());
      if (raw.length > PathText.MAX_PATH_BYTES) {
        pathTooLong.incrementAndGet();
        return;
      }
      path = PathText.join(w.path, PathText.of(e.name()));
    }
    long bits = mask & REPORTED_BITS;
    if (self && w.root && (mask & (IN_MOVE_SELF | IN_DELETE_SELF)) != 0) {
      // The root's own watch followed it away (or lost it): what happens there from now on is not
      // under the root's path, and a new directory of that name is not watched yet.
      long shown = (mask & IN_MOVE_SELF) != 0 ? FileOps.MOVED_FROM | FileOps.ONDIR : bits;
      emit(new FileNotification(shown, 0, path, null, now), out);
      Root r = rootAt(path);
      if (r != null) {
        rootGone(r, now, out);
      } else {
        w.root = false;
      }
      return;
    }
    if (!self
        && (mask & IN_ISDIR) != 0
        && (mask & (IN_CREATE | IN_MOVED_TO)) != 0
        && missing.containsKey(path)) {
      rootBack(missing.get(path), mask, e.cookie(), raw, now, out);
      return;
    }
    if (!w.tree && (mask & IN_OPEN) == 0) {
      return; // a parent watched only for a missing root to appear again
    }
    if ((mask & IN_OPEN) != 0) {
      // Opens of an opened directory's entries, or of an opened file; not of the directory.
      if (self ? w.openedFile : w.openedDir) {
        emit(new FileNotification(bits, 0, path, null, now), out);
      }
      return;
    }
    if ((mask & IN_MOVED_FROM) != 0) {
      RenameJoiner.Move given = joiner.from(new RenameJoiner.Move(mask, e.cookie(), path, raw));
      if (given != null) {
        movedOut(given, now, out);
      }
      return;
    }
    if ((mask & IN_MOVED_TO) != 0) {
      RenameJoiner.Move to = new RenameJoiner.Move(mask, e.cookie(), path, raw);
      RenameJoiner.Move from = joiner.to(to);
      if (from != null) {
        renamed(from, to, now, out);
      } else {
        movedIn(to, now, out);
      }
      return;
    }
    emit(new FileNotification(bits, 0, path, null, now), out);
    if ((mask & IN_CREATE) != 0) {
      if ((mask & IN_ISDIR) != 0) {
        walk(path, raw, false, true, now, out);
      } else if (openedFiles.containsKey(path)) {
        watchOpened(raw);
      }
    }
  }

  private Root rootAt(String path) {
    for (Root r : roots) {
      if (r.path().equals(path)) {
        return r;
      }
    }
    return null;
  }

  /**
   * Root {@code r} was moved away or deleted: drops its watches (they follow the old inode) and
   * watches its parent for a directory of its name.
   */
  private void rootGone(Root r, long now, Consumer<FileNotification> out) {
    unwatchUnder(r.path());
    missing.put(r.path(), r);
    missingRoots.set(missing.size());
    watchForRoot(r, now, out);
  }

  /** Watches the parent of missing root {@code r}; walks {@code r} at once if it is back. */
  private void watchForRoot(Root r, long now, Consumer<FileNotification> out) {
    byte[] parentRaw = PathText.parentRaw(r.raw());
    try {
      int wd = ino.addWatch(parentRaw, PARENT_MASK);
      table.put(wd, PathText.parent(r.path()), parentRaw);
    } catch (FileNotifyException e) {
      // The parent is gone too (or unwatchable): tried again at each rewalk.
      countWatchFailure(e);
      rewalkDue = true;
      return;
    }
    try {
      PathStatus st = PathStatus.of(r.raw(), false);
      if (st != null && st.directory()) {
        // Created before the parent's watch: its creation was not seen.
        synthesized.incrementAndGet();
        rootBack(r, IN_CREATE | IN_ISDIR, 0, r.raw(), now, out);
      }
    } catch (FileNotifyException e) {
      // Unreadable meanwhile: its creation, when it comes, is seen by the parent's watch.
    }
  }

  /**
   * A directory named like missing root {@code r} appeared: hands on its creation (or arrival) and
   * the entries already in it, and watches it as the root.
   */
  private void rootBack(
      Root r, int mask, int cookie, byte[] raw, long now, Consumer<FileNotification> out) {
    missing.remove(r.path());
    missingRoots.set(missing.size());
    rootRewatches.incrementAndGet();
    RenameJoiner.Move from = null;
    if ((mask & IN_MOVED_TO) != 0) {
      RenameJoiner.Move to = new RenameJoiner.Move(mask, cookie, r.path(), raw);
      from = joiner.to(to);
      if (from != null) {
        renamed(from, to, now, out); // its watches, from another tree, now serve this root
      } else {
        emit(new FileNotification(FileOps.MOVED_TO | FileOps.ONDIR, 0, r.path(), null, now), out);
      }
    } else {
      emit(new FileNotification(FileOps.CREATE | FileOps.ONDIR, 0, r.path(), null, now), out);
    }
    walk(r.path(), r.raw(), true, true, now, out);
    for (byte[] o : opened) {
      if (PathText.under(PathText.of(o), r.path())) {
        watchOpened(o);
      }
    }
    unwatchParent(r);
  }

  /** Removes the watch of a missing root's parent once no missing root needs it. */
  private void unwatchParent(Root r) {
    String parent = PathText.parent(r.path());
    for (Root m : missing.values()) {
      if (PathText.parent(m.path()).equals(parent)) {
        return;
      }
    }
    Integer wd = table.wd(parent);
    WatchTable.Watch w = wd == null ? null : table.get(wd);
    if (w == null || w.tree || w.openedDir || w.openedFile) {
      return; // the parent's other roles keep it; the extra events are dropped
    }
    table.remove(wd);
    try {
      ino.removeWatch(wd);
    } catch (FileNotifyException e) {
      // already gone
    }
  }

  private void unwatchUnder(String path) {
    for (int wd : table.under(path)) {
      table.remove(wd);
      try {
        ino.removeWatch(wd);
      } catch (FileNotifyException e) {
        // Already dropped by the kernel (deleted), or closed meanwhile.
      }
    }
  }

  private void renamed(
      RenameJoiner.Move from, RenameJoiner.Move to, long now, Consumer<FileNotification> out) {
    long dirBit = to.mask() & IN_ISDIR;
    emit(new FileNotification(FileOps.RENAME | dirBit, 0, to.path(), from.path(), now), out);
    if (dirBit != 0) {
      table.move(from.path(), from.raw(), to.path(), to.raw());
    } else if (openedFiles.containsKey(to.path())) {
      watchOpened(to.raw());
    }
  }

  private void movedOut(RenameJoiner.Move m, long now, Consumer<FileNotification> out) {
    unpaired.incrementAndGet();
    long dirBit = m.mask() & IN_ISDIR;
    emit(new FileNotification(FileOps.MOVED_FROM | dirBit, 0, m.path(), null, now), out);
    if (dirBit != 0) {
      for (int wd : table.under(m.path())) {
        table.remove(wd);
        try {
          ino.removeWatch(wd);
        } catch (FileNotifyException e) {
          return; // closed meanwhile
        }
      }
    }
  }

  private void movedIn(RenameJoiner.Move m, long now, Consumer<FileNotification> out) {
    unpaired.incrementAndGet();
    long dirBit = m.mask() & IN_ISDIR;
    emit(new FileNotification(FileOps.MOVED_TO | dirBit, 0, m.path(), null, now), out);
    if (dirBit != 0) {
      walk(m.path(), m.raw(), false, false, now, out);
    } else if (openedFiles.containsKey(m.path())) {
      watchOpened(m.raw());
    }
  }

  /** Walks the trees again after an overflow: directories created meanwhile have no watch. */
  private void rewalk(Consumer<FileNotification> out) {
    rewalkDue = false;
    lastRewalk = System.nanoTime();
    rewalks.incrementAndGet();
    for (Root r : roots) {
      if (missing.containsKey(r.path())) {
        watchForRoot(r, PathText.nowNanos(), out);
      } else {
        walk(r.path(), r.raw(), true, false, 0, null);
      }
    }
    for (byte[] raw : new ArrayList<>(openedFiles.values())) {
      watchOpened(raw);
    }
  }

  private void emit(FileNotification n, Consumer<FileNotification> out) {
    if (out != null) {
      notifications.incrementAndGet();
      out.accept(n);
    }
  }

  @Override
  public Map<String, Long> counters() {
    return counters.snapshot();
  }

  @Override
  public void close() {
    closed = true;
    lock.lock();
    try {
      if (released) {
        return;
      }
      released = true;
      ino.close();
      reader.close();
      buffer.close();
    } finally {
      lock.unlock();
    }
  }
}
