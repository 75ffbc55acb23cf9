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
    final Set<String> visited = new HashSet<>();
    long files;
    long bytesHashed;
    long changes;
    long errors;
    long droppedOutOfScope;

    /** Paths were left unmonitored: the walk's limit, or the baseline was full. */
    boolean truncated;

    /** The walk met its limit and stopped. */
    boolean stopped;

    /**
     * @param actor the process reported with each difference (a re-check's), if known
     * @param between run before each path (cancellation, interleaved re-checks)
     * @param enclosing the scan this re-check runs inside, which then counts the re-checked paths
     *     as met; or null
     */
    Pass(
        Baseline baseline,
        FimScope scope,
        Mode mode,
        Optional<ProcessRef> actor,
        Runnable between,
        Pass enclosing) {
      this.baseline = baseline;
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
   *     this many entries; past either the pass is {@code truncated}
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
      if (p.visited.size() >= maxFiles) {
        p.truncated = true;
        p.stopped = true;
        return;
      }
      if (!p.meet(key)) {
        return; // two names that decode to one string: the first one stands
      }
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
        p.baseline.remove(key);
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
      if (p.baseline.size() >= maxFiles) {
        p.truncated = true;
        return;
      }
      if (p.mode != Mode.COMPARE) {
        p.baseline.put(key, found);
        return;
      }
      before = FileStateReader.ABSENT;
    } else if (p.mode == Mode.CREATE) {
      if (found.getExists()) {
        p.baseline.put(key, found);
      } else {
        p.baseline.remove(key);
      }
      return;
    }
    List<String> changed = FimCompare.changed(before, found);
    if (changed.isEmpty()) {
      return;
    }
    p.baseline.put(key, found);
    p.changes++;
    out.found(key, before, found, changed, p.actor);
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
