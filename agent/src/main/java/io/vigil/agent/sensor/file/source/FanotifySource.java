package io.vigil.agent.sensor.file.source;

import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_ATTRIB;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_CLASS_NOTIF;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_CLOEXEC;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_CLOSE_WRITE;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_CREATE;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_DELETE;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_EVENT_ON_CHILD;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_MARK_ADD;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_MARK_FILESYSTEM;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_MODIFY;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_MOVED_FROM;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_MOVED_TO;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_NONBLOCK;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_ONDIR;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_OPEN;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_RENAME;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_REPORT_DIR_FID;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.FAN_REPORT_NAME;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.O_CLOEXEC;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.O_LARGEFILE;
import static io.vigil.agent.platform.linux.FanotifyDescriptor.O_RDONLY;

import io.vigil.agent.platform.linux.Errno;
import io.vigil.agent.platform.linux.FanotifyDescriptor;
import io.vigil.agent.platform.linux.FanotifyEvent;
import io.vigil.agent.platform.linux.FanotifyEventParser;
import io.vigil.agent.platform.linux.FanotifyInfo;
import io.vigil.agent.platform.linux.FileHandleMount;
import io.vigil.agent.platform.linux.FileNotifyException;
import io.vigil.agent.platform.linux.NativeBuffer;
import io.vigil.agent.platform.linux.NotifyDescriptor;
import io.vigil.agent.platform.linux.PathStatus;
import io.vigil.agent.sensor.file.FileNotification;
import io.vigil.agent.sensor.file.FileOps;
import io.vigil.agent.sensor.file.NotificationSource;
import io.vigil.agent.sensor.file.WatchPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * fanotify in FID mode: one {@code FAN_MARK_FILESYSTEM} mark per filesystem holding a watched tree
 * (including filesystems mounted inside a tree), inode marks with {@code FAN_OPEN} for opened
 * paths. Every notification names the acting process; its directory file handle is resolved to a
 * path through a directory held open on that filesystem and cached per handle.
 *
 * <p>The group is initialised {@code FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK |
 * FAN_REPORT_DIR_FID | FAN_REPORT_NAME}, without {@code FAN_UNLIMITED_QUEUE}: the kernel queue
 * stays bounded ({@code fs.fanotify.max_queued_events}) and an overflow is handed on as {@link
 * FileOps#OVERFLOW}. Renames arrive as one {@link FileOps#RENAME} with both paths ({@code
 * FAN_RENAME}, kernel 5.17+; older kernels get {@code MOVED_FROM} and {@code MOVED_TO} halves). A
 * filesystem mark sees every change on the filesystem, so notifications outside the plan are
 * dropped by a per-directory decision before any string is built.
 *
 * <p>Counters: {@code marks} (filesystem and inode marks placed), {@code notifications} (handed
 * on), {@code own} (caused by the agent, dropped), {@code outside_watch} (outside the plan,
 * dropped), {@code unresolved} (directory handle no longer resolvable, e.g. deleted before it was
 * read: dropped and only counted, because a filesystem mark sees directories deleted anywhere on
 * the filesystem, and signalling each as a loss made a gap and a rescan every second on a busy
 * host), {@code malformed}, {@code overflows}, {@code path_too_long} (over 4096 bytes, dropped),
 * {@code resolutions} (handles resolved by system calls, i.e. cache misses), {@code cache_size},
 * {@code opened_unmarked} (opened paths that could not be marked, e.g. missing), {@code
 * unmarked_mounts} (filesystems mounted inside a tree that refused a mark), {@code unmarked_trees}
 * (trees whose filesystem refused a mark for want of file handles or an fsid: left unwatched and
 * named in a warning; when no tree could be marked, {@link #open} fails so that the caller falls
 * back to inotify).
 *
 * <p>Thread-safety: one thread polls; {@link #close} and {@link #counters} may be called from any
 * thread. A poll waits in slices of at most 100 ms under a lock that close takes, so the descriptor
 * is never closed under a thread still using it.
 */
public final class FanotifySource implements NotificationSource {
  /** The source name, {@code FileEvent.source}. */
  public static final String NAME = "fanotify";

  private static final Logger log = LoggerFactory.getLogger(FanotifySource.class);

  static final int INIT_FLAGS =
      FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DIR_FID | FAN_REPORT_NAME;
  static final int EVENT_FILE_FLAGS = O_RDONLY | O_LARGEFILE | O_CLOEXEC;
  // No DELETE_SELF: with FAN_REPORT_DIR_FID the kernel reports it only for directories, named by
  // their own (by then unresolvable) handle, and the parent's DELETE|ONDIR says the same.
  static final long TREE_EVENTS =
      FAN_CREATE | FAN_DELETE | FAN_MODIFY | FAN_CLOSE_WRITE | FAN_ATTRIB | FAN_ONDIR;
  // FAN_RENAME alone: with MOVED_FROM and MOVED_TO too, the kernel queues three events per rename.
  static final long RENAME_EVENTS = FAN_RENAME;
  static final long LEGACY_MOVE_EVENTS = FAN_MOVED_FROM | FAN_MOVED_TO;

  private static final int CACHE_ENTRIES = 16_384;
  private static final int BUFFER_BYTES = 64 * 1024;
  // Bounds one poll call in an event storm (1 MiB); the sensor polls again at once.
  private static final int MAX_READS_PER_POLL = 16;
  private static final int SLICE_MILLIS = 100;
  private static final long DIRECTORY_MOVES =
      FileOps.DELETE | FileOps.MOVED_FROM | FileOps.DELETE_SELF | FileOps.MOVE_SELF;

  private final FanotifyDescriptor fan;
  private final Map<Long, FileHandleMount> mountsByDevice;
  private final Map<Long, FileHandleMount> mountsByFsid;
  private final PathInterest interest;
  private final Map<String, byte[]> openedFiles;
  private final DirectoryCache cache = new DirectoryCache(CACHE_ENTRIES);
  private final long ownPid = ProcessHandle.current().pid();
  private final ReentrantLock lock = new ReentrantLock();
  private final NativeBuffer buffer = new NativeBuffer(BUFFER_BYTES);
  private volatile boolean closed;
  private boolean released;

  private final SourceCounters counters;
  private final AtomicLong notifications;
  private final AtomicLong own;
  private final AtomicLong outside;
  private final AtomicLong unresolved;
  private final AtomicLong malformed;
  private final AtomicLong overflows;
  private final AtomicLong pathTooLong;
  private final AtomicLong resolutions;
  private final AtomicLong cacheSize;
  private final AtomicLong openedUnmarked;
  private String unmarkedTrees = "";

  private FanotifySource(
      FanotifyDescriptor fan,
      Map<Long, FileHandleMount> mountsByDevice,
      Map<Long, FileHandleMount> mountsByFsid,
      PathInterest interest,
      Map<String, byte[]> openedFiles,
      SourceCounters counters) {
    this.fan = fan;
    this.mountsByDevice = mountsByDevice;
    this.mountsByFsid = mountsByFsid;
    this.interest = interest;
    this.openedFiles = openedFiles;
    this.counters = counters;
    this.notifications = counters.counter("notifications");
    this.own = counters.counter("own");
    this.outside = counters.counter("outside_watch");
    this.unresolved = counters.counter("unresolved");
    this.malformed = counters.counter("malformed");
    this.overflows = counters.counter("overflows");
    this.pathTooLong = counters.counter("path_too_long");
    this.resolutions = counters.counter("resolutions");
    this.cacheSize = counters.counter("cache_size");
    this.openedUnmarked = counters.counter("opened_unmarked");
  }

  /**
   * Opens the group and places the marks of {@code plan}.
   *
   * @throws IOException when fanotify cannot watch a tree; the message says why in an operator's
   *     words, e.g. {@code "fanotify_init failed: EPERM (needs CAP_SYS_ADMIN)"}
   */
  public static FanotifySource open(WatchPlan plan) throws IOException {
    FanotifyDescriptor fan;
    try {
      fan = FanotifyDescriptor.open(INIT_FLAGS, EVENT_FILE_FLAGS);
    } catch (FileNotifyException e) {
      throw new IOException(FailureReasons.fanotify(e), e);
    }
    MountTable table = readMounts();
    Map<Long, FileHandleMount> byDevice = new HashMap<>();
    Map<Long, FileHandleMount> byFsid = new HashMap<>();
    SourceCounters counters = new SourceCounters();
    AtomicLong marks = counters.counter("marks");
    PathInterest interest = new PathInterest(plan);
    try {
      long moves = RENAME_EVENTS;
      TreeMarks trees = new TreeMarks();
      for (Path tree : plan.trees()) {
        try {
          moves = markFilesystem(fan, PathText.raw(tree), moves, byDevice, byFsid, marks, table);
          trees.marked();
        } catch (TreeRefused e) {
          trees.failed(PathText.of(tree), e.getMessage());
        }
      }
      if (trees.fallBack()) {
        throw new IOException("fanotify cannot mark any tree: " + trees.describe());
      }
      counters.counter("unmarked_trees").set(trees.failedCount());
      if (trees.failedCount() > 0) {
        log.warn(
            "fanotify left {} tree(s) unwatched, their filesystems refused a mark: {}",
            trees.failedCount(),
            trees.describe());
      }
      AtomicLong unmarkedMounts = counters.counter("unmarked_mounts");
      for (byte[] nested : nestedMounts(plan, table, interest)) {
        try {
          moves = markFilesystem(fan, nested, moves, byDevice, byFsid, marks, table);
        } catch (IOException e) {
          unmarkedMounts.incrementAndGet();
        }
      }
      Map<String, byte[]> openedFiles = new LinkedHashMap<>();
      FanotifySource source =
          new FanotifySource(fan, byDevice, byFsid, interest, openedFiles, counters);
      source.unmarkedTrees = trees.failedCount() > 0 ? trees.describe() : "";
      for (Path p : plan.opened()) {
        source.markOpened(PathText.raw(p), marks);
      }
      return source;
    } catch (IOException | RuntimeException e) {
      byDevice.values().forEach(FileHandleMount::close);
      fan.close();
      throw e;
    }
  }

  private static MountTable readMounts() {
    try {
      return MountTable.read();
    } catch (IOException e) {
      return MountTable.parse(new byte[0]); // only used to name mounts and find nested ones
    }
  }

  /** Filesystems mounted inside a tree, other than kernel interfaces and excluded subtrees. */
  private static List<byte[]> nestedMounts(WatchPlan plan, MountTable table, PathInterest i) {
    List<byte[]> out = new ArrayList<>();
    for (Path tree : plan.trees()) {
      for (MountTable.Mount m : table.below(PathText.of(tree))) {
        if (!table.pseudo(m)
            && !i.excluded(m.mountPoint())
            // An escaped mount point cannot be turned back into its bytes; it stays unmarked.
            && m.mountPoint().indexOf('\\') < 0) {
          out.add(m.mountPoint().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  /**
   * Marks the filesystem of {@code dir} unless already marked, and opens it for handle resolution.
   *
   * @return the rename events in use ({@link #LEGACY_MOVE_EVENTS} after a kernel refused {@code
   *     FAN_RENAME})
   */
  private static long markFilesystem(
      FanotifyDescriptor fan,
      byte[] dir,
      long moves,
      Map<Long, FileHandleMount> byDevice,
      Map<Long, FileHandleMount> byFsid,
      AtomicLong marks,
      MountTable table)
      throws IOException {
    String shown = PathText.of(dir);
    try {
      PathStatus st = PathStatus.of(dir, true);
      if (st == null || byDevice.containsKey(st.device())) {
        return moves; // a tree that vanished is no error: the plan is rebuilt later
      }
      FileHandleMount mount = FileHandleMount.open(dir);
      byDevice.put(st.device(), mount);
      byFsid.putIfAbsent(mount.fsid(), mount);
      try {
        moves = mark(fan, dir, moves);
      } catch (FileNotifyException e) {
        if (!TreeMarks.filesystemSpecific(e.errno())) {
          throw e;
        }
        // Only this filesystem refuses: forget it, so the other trees keep fanotify.
        byDevice.remove(st.device());
        byFsid.remove(mount.fsid(), mount);
        mount.close();
        throw new TreeRefused(FailureReasons.fanotify(e) + "; " + table.describe(shown), e);
      }
      marks.incrementAndGet();
      return moves;
    } catch (FileNotifyException e) {
      throw new IOException(FailureReasons.fanotify(e) + "; " + table.describe(shown), e);
    }
  }

  /** Places the filesystem mark of {@code dir}; the rename events in use. */
  private static long mark(FanotifyDescriptor fan, byte[] dir, long moves)
      throws FileNotifyException {
    try {
      fan.mark(FAN_MARK_ADD | FAN_MARK_FILESYSTEM, TREE_EVENTS | moves, dir);
      return moves;
    } catch (FileNotifyException e) {
      if (e.errno() != Errno.EINVAL || moves != RENAME_EVENTS) {
        throw e;
      }
      // Kernels 5.9 to 5.16 know FID reporting but not FAN_RENAME.
      fan.mark(FAN_MARK_ADD | FAN_MARK_FILESYSTEM, TREE_EVENTS | LEGACY_MOVE_EVENTS, dir);
      return LEGACY_MOVE_EVENTS;
    }
  }

  /** A tree's filesystem refused the mark for a reason of its own; the message says which. */
  private static final class TreeRefused extends IOException {
    private static final long serialVersionUID = 1L;

    TreeRefused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private void markOpened(byte[] raw, AtomicLong marks) {
    String path = PathText.of(raw);
    try {
      PathStatus st = PathStatus.of(raw, true);
      if (st == null || !st.directory()) {
        openedFiles.put(path, raw); // marked again when created
      }
      if (st == null) {
        openedUnmarked.incrementAndGet();
        return;
      }
      if (!mountsByDevice.containsKey(st.device())) {
        byte[] dir = st.directory() ? raw : PathText.parentRaw(raw);
        FileHandleMount mount = FileHandleMount.open(dir);
        mountsByDevice.put(st.device(), mount);
        mountsByFsid.putIfAbsent(mount.fsid(), mount);
      }
      fan.mark(FAN_MARK_ADD, FAN_OPEN | (st.directory() ? FAN_EVENT_ON_CHILD : 0), raw);
      marks.incrementAndGet();
    } catch (FileNotifyException e) {
      openedUnmarked.incrementAndGet();
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
      long deadline = System.nanoTime() + Math.max(0, timeoutMillis) * 1_000_000L;
      while (!fan.await(sliceMillis(deadline))) {
        if (closed || System.nanoTime() >= deadline) {
          return 0;
        }
      }
      int handed = 0;
      for (int i = 0; i < MAX_READS_PER_POLL && !closed; i++) {
        int n = fan.read(buffer);
        if (n == 0) {
          break;
        }
        handed += decode(buffer.view(n), out);
      }
      return handed;
    } finally {
      lock.unlock();
    }
  }

  static int sliceMillis(long deadlineNanos) {
    long left = (deadlineNanos - System.nanoTime() + 999_999) / 1_000_000;
    return (int) Math.max(0, Math.min(SLICE_MILLIS, left));
  }

  private int decode(java.nio.ByteBuffer b, Consumer<FileNotification> out) {
    FanotifyEventParser.Result r = FanotifyEventParser.parse(b);
    malformed.addAndGet(r.malformed());
    r.strayFds().forEach(NotifyDescriptor::closeQuietly);
    for (FanotifyEvent e : r.events()) {
      NotifyDescriptor.closeQuietly(e.fd()); // FAN_NOFD in FID mode, but never leak one
    }
    long now = PathText.nowNanos();
    int handed = 0;
    for (FanotifyEvent e : r.events()) {
      if (closed) {
        break;
      }
      FileNotification n = notification(e, now);
      if (n != null) {
        notifications.incrementAndGet();
        handed++;
        out.accept(n);
      }
    }
    cacheSize.set(cache.size());
    return handed;
  }

  private FileNotification notification(FanotifyEvent e, long now) {
    long mask = e.mask();
    if ((mask & FileOps.OVERFLOW) != 0) {
      overflows.incrementAndGet();
      cache.clear(); // a directory rename may have been lost
      return new FileNotification(FileOps.OVERFLOW, 0, "", null, now);
    }
    if (e.pid() == ownPid) {
      own.incrementAndGet();
      return null;
    }
    if ((mask & FileOps.RENAME) != 0) {
      return rename(e, now);
    }
    FanotifyInfo info = e.info(FanotifyInfo.DFID_NAME);
    if (info == null) {
      info = e.info(FanotifyInfo.DFID);
    }
    if (info == null) {
      malformed.incrementAndGet();
      return null;
    }
    DirectoryCache.Dir dir = resolve(info);
    if (dir == null) {
      if ((mask & FileOps.ONDIR) != 0 && (mask & DIRECTORY_MOVES) != 0) {
        cache.clear(); // cannot tell which cached paths went stale
      }
      return null;
    }
    String path = entryPath(dir, info);
    if (path == null) {
      return null;
    }
    if ((mask & FileOps.ONDIR) != 0 && (mask & DIRECTORY_MOVES) != 0) {
      cache.invalidate(path);
    }
    if (!interesting(dir, info, path)) {
      outside.incrementAndGet();
      return null;
    }
    if ((mask & (FileOps.CREATE | FileOps.MOVED_TO)) != 0) {
      remarkIfOpened(path);
    }
    return new FileNotification(mask, e.pid(), path, null, now);
  }

  private FileNotification rename(FanotifyEvent e, long now) {
    FanotifyInfo from = e.info(FanotifyInfo.OLD_DFID_NAME);
    FanotifyInfo to = e.info(FanotifyInfo.NEW_DFID_NAME);
    DirectoryCache.Dir fromDir = from == null ? null : resolve(from);
    DirectoryCache.Dir toDir = to == null ? null : resolve(to);
    String oldPath = fromDir == null ? null : entryPath(fromDir, from);
    String newPath = toDir == null ? null : entryPath(toDir, to);
    long mask = e.mask();
    if ((mask & FileOps.ONDIR) != 0) {
      if (oldPath != null) {
        cache.invalidate(oldPath);
      } else {
        cache.clear();
      }
    }
    boolean wanted =
        (oldPath != null && interesting(fromDir, from, oldPath))
            || (newPath != null && interesting(toDir, to, newPath));
    if (!wanted) {
      if (oldPath != null || newPath != null) {
        outside.incrementAndGet();
      }
      return null;
    }
    long dirBit = mask & FileOps.ONDIR;
    if (newPath == null) {
      return new FileNotification(FileOps.MOVED_FROM | dirBit, e.pid(), oldPath, null, now);
    }
    remarkIfOpened(newPath);
    if (oldPath == null) {
      return new FileNotification(FileOps.MOVED_TO | dirBit, e.pid(), newPath, null, now);
    }
    return new FileNotification(mask, e.pid(), newPath, oldPath, now);
  }

  /** The cached or freshly resolved directory of {@code info}; null (counted) when unresolvable. */
  private DirectoryCache.Dir resolve(FanotifyInfo info) {
    FileHandleMount mount = mountsByFsid.get(info.fsid());
    if (mount == null) {
      unresolved.incrementAndGet();
      return null;
    }
    DirectoryCache.Key key = new DirectoryCache.Key(info.fsid(), info.handle());
    DirectoryCache.Dir dir = cache.get(key);
    if (dir != null) {
      return dir;
    }
    resolutions.incrementAndGet();
    byte[] raw = mount.resolve(info.handle());
    if (raw == null) {
      (mount.lastErrno() == Errno.ENAMETOOLONG ? pathTooLong : unresolved).incrementAndGet();
      return null;
    }
    String path = PathText.of(raw);
    dir = new DirectoryCache.Dir(path, raw.length, interest.dir(path));
    cache.put(key, dir);
    return dir;
  }

  /** The path of the record's entry (the directory itself for self events); null if too long. */
  private String entryPath(DirectoryCache.Dir dir, FanotifyInfo info) {
    if (info.selfName()) {
      return dir.path();
    }
    boolean root = dir.path().equals("/");
    if (PathText.joinedLength(dir.rawLength(), info.name().length, root)
        > PathText.MAX_PATH_BYTES) {
      pathTooLong.incrementAndGet();
      return null;
    }
    return PathText.join(dir.path(), PathText.of(info.name()));
  }

  private boolean interesting(DirectoryCache.Dir dir, FanotifyInfo info, String path) {
    if (info.selfName()) {
      return interest.entry(path, PathText.parent(path));
    }
    return switch (dir.interest()) {
      case ALL -> true;
      case NONE -> false;
      case SOME -> interest.entry(path, dir.path());
    };
  }

  /** A listed opened file was (re)created: its inode is new, so it needs a new mark. */
  private void remarkIfOpened(String path) {
    byte[] raw = openedFiles.get(path);
    if (raw == null) {
      return;
    }
    try {
      fan.mark(FAN_MARK_ADD, FAN_OPEN, raw);
    } catch (FileNotifyException e) {
      openedUnmarked.incrementAndGet();
    }
  }

  @Override
  public Map<String, Long> counters() {
    return counters.snapshot();
  }

  /**
   * The trees whose filesystem refused a mark, with the reasons ({@code ""} when every tree is
   * watched): changes there are not reported, which the sensor's status must say.
   */
  public String unmarkedTrees() {
    return unmarkedTrees;
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
      fan.close();
      mountsByDevice.values().forEach(FileHandleMount::close);
      buffer.close();
    } finally {
      lock.unlock();
    }
  }
}
