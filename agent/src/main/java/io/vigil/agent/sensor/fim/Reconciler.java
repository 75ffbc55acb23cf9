package io.vigil.agent.sensor.fim;

import io.vigil.agent.sensor.fim.FimScope.Reach;
import io.vigil.proto.fim.FimCompare;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.ProcessRef;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Brings the baseline up to date with the filesystem at and beneath one path: a full scan starts at
 * {@code /}, a re-check at the path the file sensor reported. The walk never follows symbolic links
 * and descends only into directories the {@link FimScope} reaches; monitored paths are read ({@link
 * FileStateReader}) and compared with their entries ({@link FimCompare}); then every entry at or
 * beneath the start that the walk did not meet is read on its own (a deleted file gives a
 * tombstone, a file past the walk's limit stays monitored, an entry now out of scope is dropped).
 *
 * <p>A monitored directory that is the root of a pseudo filesystem ({@code /proc}, {@code /sys},
 * ...) mounted beneath a monitored directory is recorded but not entered: their files are endless,
 * block on read, or are not files at all. A configured path inside one is entered.
 *
 * <p>Not thread-safe: the sensor's worker thread runs every pass, one at a time, except that a
 * scan's {@code between} hook may run re-check passes inside it.
 */
final class Reconciler {
  /** What a pass does with what it finds. */
  enum Mode {
    /** A new baseline: entries are set silently (it is sent whole afterwards). */
    CREATE,
    /** A baseline of another scope: new paths are added silently, differences are reported. */
    ADD_SILENTLY,
    /** Every difference is reported, new paths as "created". */
    COMPARE
  }

  /** Receives each difference found, in the order found, on the worker thread. */
  interface Differences {
    void found(
        String path,
        FileState before,
        FileState after,
        List<String> changed,
        Optional<ProcessRef> actor);
  }

  /** One pass: its settings and what it found. */
  static final class Pass {
    final Baseline baseline;
    final FimScope scope;
    final Mode mode;
    final Optional<ProcessRef> actor;
    final Runnable between;
    final Pass enclosing;
    final FileQuota entries;
    final Set<String> visited = new HashSet<>();
    FileQuota met; // paths this walk met, per pattern; made by run()
    long files;
    long bytesHashed;
    long changes;
    long errors;
    long droppedOutOfScope;

    /**
     * Paths were left unmonitored: the walk's limit, or the baseline was full; {@link #refused}
     * names the patterns.
     */
    boolean truncated;

    /** The walk met its limit and stopped. */
    boolean stopped;

    /**
     * @param actor the process reported with each difference (a re-check's), if known
     * @param between run before each path (cancellation, interleaved re-checks)
     * @param enclosing the scan this re-check runs inside, which then counts the re-checked paths
     *     as met; or null
     * @param entries the baseline's entries counted per pattern of {@code scope} ({@link
     *     FileQuota#of}); the pass keeps it up to date
     */
    Pass(
        Baseline baseline,
        FimScope scope,
        Mode mode,
        Optional<ProcessRef> actor,
        Runnable between,
        Pass enclosing,
        FileQuota entries) {
      this.baseline = baseline;
      this.entries = entries;
      this.scope = scope;
      this.mode = mode;
      this.actor = actor;
      this.between = between;
      this.enclosing = enclosing;
    }

    /** Marks {@code path} as met; false when it was already (a name listed twice). */
    private boolean meet(String path) {
      if (enclosing != null) {
        enclosing.visited.add(path);
      }
      return visited.add(path);
    }

    /** The configured patterns that had paths left unmonitored by this pass. */
    List<String> refused() {
      Set<String> out = new LinkedHashSet<>(entries.refused(scope.patterns()));
      if (met != null) {
        out.addAll(met.refused(scope.patterns()));
      }
      return List.copyOf(out);
    }
  }

  private static final int MAX_DEPTH = 256;

  private static final Set<String> PSEUDO_FILESYSTEMS =
      Set.of(
          "proc",
          "sysfs",
          "devtmpfs",
          "devpts",
          "cgroup",
          "cgroup2",
          "debugfs",
          "tracefs",
          "securityfs",
          "bpf",
          "pstore",
          "configfs",
          "fusectl",
          "mqueue",
          "hugetlbfs",
          "binfmt_misc",
          "autofs",
          "efivarfs",
          "rpc_pipefs",
          "nsfs",
          "selinuxfs");

  private final FileStateReader reader;
  private final Differences out;
  private final int maxFiles;

  /**
   * @param maxFiles a pass meets at most this many monitored paths, and the baseline holds at most
   *     this many entries, both shared among the patterns ({@link FileQuota}); past either the pass
   *     is {@code truncated}
   */
  Reconciler(FileStateReader reader, Differences out, int maxFiles) {
    this.reader = reader;
    this.out = out;
    this.maxFiles = maxFiles;
  }

  /**
   * Runs {@code p} at and beneath {@code start} (absolute). Blocks on the filesystem.
   *
   * @throws ScanCancelled when the sensor is closing
   */
  Pass run(Pass p, String start) {
    p.met = new FileQuota(maxFiles, p.scope.patterns().size());
    Reach r = p.scope.reach(start);
    if (r != Reach.OUT) {
      Path path = Path.of(start);
      Path parent = path.getParent();
      boolean parentIn = parent != null && p.scope.reach(parent.toString()) == Reach.IN;
      long parentDev = parent == null ? -1 : device(parent);
      visit(p, path, start, r, 0, parentDev, parentIn);
    }
    leftovers(p, start);
    return p;
  }

  private void visit(
      Pass p, Path path, String key, Reach reach, int depth, long parentDev, boolean parentIn) {
    p.between.run();
    if (p.stopped) {
      return;
    }
    int mode;
    long dev;
    if (reach == Reach.IN) {
      // One flooded pattern must not stop the walk before it meets the other patterns' paths.
      int owner = p.scope.owner(key);
      if (!p.met.admits(owner)) {
        p.truncated = true;
        p.stopped = p.met.full();
        return;
      }
      if (!p.meet(key)) {
        return; // two names that decode to one string: the first one stands
      }
      p.met.add(owner);
      FileStateReader.Read read = reader.read(path);
      p.files++;
      p.bytesHashed += read.bytesHashed();
      if (read.state().isEmpty()) {
        p.errors++;
        return;
      }
      FileState s = read.state().get();
      apply(p, key, s);
      if (!s.getExists()) {
        return;
      }
      mode = s.getMode();
      dev = s.getDevice();
    } else {
      try {
        Map<String, Object> a =
            Files.readAttributes(path, "unix:mode,dev", LinkOption.NOFOLLOW_LINKS);
        mode = (Integer) a.get("mode");
        dev = (Long) a.get("dev");
      } catch (NoSuchFileException | NotDirectoryException e) {
        return;
      } catch (IOException | RuntimeException e) {
        p.errors++;
        return;
      }
    }
    if (!FileStateReader.isDirectory(mode)) {
      return;
    }
    if (depth >= MAX_DEPTH) {
      p.errors++;
      return;
    }
    if (parentIn && reach == Reach.IN && dev != parentDev && isPseudo(path)) {
      return;
    }
    List<Path> children = reach == Reach.PARTIAL ? named(p.scope.nextNames(key), path) : null;
    if (children == null) {
      children = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(path)) {
        for (Path c : ds) {
          // Only what the scope reaches is kept: /tmp or /home may hold very many entries.
          if (p.scope.reach(c.toString()) != Reach.OUT) {
            children.add(c);
            if (children.size() > maxFiles) {
              break; // the walk stops at maxFiles anyway
            }
          }
        }
      } catch (NoSuchFileException | NotDirectoryException e) {
        return; // gone or replaced since it was read
      } catch (IOException | RuntimeException e) {
        p.errors++;
        return;
      }
    }
    for (Path c : children) {
      String ck = c.toString();
      Reach cr = p.scope.reach(ck);
      if (cr != Reach.OUT) {
        visit(p, c, ck, cr, depth + 1, dev, reach == Reach.IN);
      }
    }
  }

  /** {@code dir}'s entries of the given names (null: unknown, list the directory). */
  private static List<Path> named(Set<String> names, Path dir) {
    if (names == null) {
      return null;
    }
    List<Path> out = new ArrayList<>(names.size());
    for (String n : names) {
      out.add(dir.resolve(n)); // missing ones are skipped when visited
    }
    return out;
  }

  /** Entries at or beneath {@code start} the walk did not meet. */
  private void leftovers(Pass p, String start) {
    for (String key : p.baseline.pathsUnder(start)) {
      if (p.visited.contains(key)) {
        continue;
      }
      p.between.run();
      if (p.baseline.get(key) == null) {
        continue; // a re-check inside this scan removed it
      }
      if (p.scope.reach(key) != Reach.IN) {
        remove(p, key);
        if (p.mode == Mode.COMPARE) {
          p.droppedOutOfScope++; // the collector's mirror still has it: the sensor resyncs
        }
        continue;
      }
      FileStateReader.Read read = reader.read(Path.of(key));
      p.files++;
      p.bytesHashed += read.bytesHashed();
      if (read.state().isEmpty()) {
        p.errors++;
        continue;
      }
      p.meet(key);
      apply(p, key, read.state().get());
    }
  }

  private void apply(Pass p, String key, FileState found) {
    FileState before = p.baseline.get(key);
    if (before == null) {
      if (!found.getExists()) {
        return;
      }
      int owner = p.scope.owner(key);
      if (!p.entries.admits(owner)) {
        p.truncated = true;
        return;
      }
      p.entries.add(owner);
      if (p.mode != Mode.COMPARE) {
        p.baseline.put(key, found);
        return;
      }
      before = FileStateReader.ABSENT;
    } else if (p.mode == Mode.CREATE) {
      if (found.getExists()) {
        p.baseline.put(key, found);
      } else {
        remove(p, key);
      }
      return;
    }
    List<String> changed = FimCompare.changed(before, found);
    if (changed.isEmpty()) {
      return;
    }
    if (p.mode == Mode.ADD_SILENTLY && onlyHashLimitDiffers(changed, before, found)) {
      p.baseline.put(key, found); // max_file_bytes changed: the same file, hashed over more or less
      return;
    }
    p.baseline.put(key, found);
    p.changes++;
    out.found(key, before, found, changed, p.actor);
  }

  /**
   * Whether the only difference is how much of the file was hashed, with size, times and inode the
   * same: what a new {@code max_file_bytes} does to a file larger than the old or the new limit.
   * Content rewritten in place changes ctime, which cannot be set back.
   */
  private static boolean onlyHashLimitDiffers(
      List<String> changed, FileState before, FileState after) {
    return changed.equals(List.of("content"))
        && before.getHashedBytes() != after.getHashedBytes()
        && before.getHashSkipped().equals(after.getHashSkipped())
        && before.getSize() == after.getSize()
        && before.getMtimeNs() == after.getMtimeNs()
        && before.getCtimeNs() == after.getCtimeNs()
        && before.getInode() == after.getInode();
  }

  /** Removes {@code key}, which is in the baseline. */
  private static void remove(Pass p, String key) {
    p.entries.remove(p.scope.owner(key));
    p.baseline.remove(key);
  }

  private static long device(Path p) {
    try {
      return (Long) Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static boolean isPseudo(Path dir) {
    try {
      return PSEUDO_FILESYSTEMS.contains(Files.getFileStore(dir).type());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
