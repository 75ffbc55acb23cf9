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

import com.sun.jna.Memory;
import io.vigil.agent.platform.linux.DirectoryReader;
import io.vigil.agent.platform.linux.Errno;
import io.vigil.agent.platform.linux.FileNotifyException;
import io.vigil.agent.platform.linux.InotifyDescriptor;
import io.vigil.agent.platform.linux.InotifyEvent;
import io.vigil.agent.platform.linux.InotifyEventParser;
import io.vigil.agent.platform.linux.PathStatus;
import io.vigil.agent.sensor.file.FileNotification;
import io.vigil.agent.sensor.file.FileOps;
import io.vigil.agent.sensor.file.NotificationSource;
import io.vigil.agent.sensor.file.WatchPlan;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
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
 * <p>Counters: {@code watches} (current), {@code unwatched_dirs} (directories left unwatched at the
 * limit or by {@code fs.inotify.max_user_watches}; their subdirectories are not counted), {@code
 * notifications}, {@code overflows}, {@code malformed}, {@code path_too_long}, {@code
 * synthesized_creates}, {@code unpaired_moves}, {@code watch_errors} (other watch failures, e.g.
 * permissions), {@code rewalks}.
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
  private final int maxWatches;
  private final WatchTable table = new WatchTable();
  private final RenameJoiner joiner = new RenameJoiner();
  private final DirectoryReader reader = new DirectoryReader();
  private final ReentrantLock lock = new ReentrantLock();
  private final Memory buffer = new Memory(BUFFER_BYTES);
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

  private InotifySource(InotifyDescriptor ino, WatchPlan plan) {
    this.ino = ino;
    this.interest = new PathInterest(plan);
    this.maxWatches = plan.maxWatches();
    for (Path t : plan.trees()) {
      roots.add(new Root(PathText.of(t), PathText.raw(t)));
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
        s.walk(r.path(), r.raw(), true, false, 0, null);
      }
      for (Path p : plan.opened()) {
        s.watchOpened(PathText.raw(p));
      }
      s.watches.set(s.table.size());
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
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
    ArrayDeque<WatchTable.Watch> queue = new ArrayDeque<>();
    queue.add(new WatchTable.Watch(dir, dirRaw));
    boolean first = true;
    while (!queue.isEmpty() && !closed) {
      WatchTable.Watch d = queue.poll();
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
      try {
        reader.list(
            d.raw,
            entry -> {
              byte[] raw = DirectoryReader.child(d.raw, entry.name());
              if (raw.length > PathText.MAX_PATH_BYTES) {
                pathTooLong.incrementAndGet();
                return;
              }
              String path = PathText.join(d.path, PathText.of(entry.name()));
              if (synthesize) {
                long bits = FileOps.CREATE | (entry.directory() ? FileOps.ONDIR : 0);
                synthesized.incrementAndGet();
                emit(new FileNotification(bits, 0, path, null, now), out);
              }
              if (entry.directory()) {
                queue.add(new WatchTable.Watch(path, raw));
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
        rewalk();
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
    InotifyEventParser.Result r =
        InotifyEventParser.parse(buffer.getByteBuffer(0, n).order(ByteOrder.nativeOrder()));
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
    if ((mask & IN_DELETE_SELF) != 0 && w.root) {
      w.root = false; // IN_IGNORED follows
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
  private void rewalk() {
    rewalkDue = false;
    lastRewalk = System.nanoTime();
    rewalks.incrementAndGet();
    for (Root r : roots) {
      walk(r.path(), r.raw(), true, false, 0, null);
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
