package io.vigil.agent.sensor.file.source;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The inotify watches of a source: watch descriptor to path (text and raw bytes) and role, and path
 * to descriptor. A watch follows its inode, so when a watched directory is renamed the paths of its
 * watch and every watch below it are rewritten ({@link #move}). Not thread-safe.
 */
final class WatchTable {
  /** One watch. Mutable: paths change on rename, roles are added. */
  static final class Watch {
    String path;
    byte[] raw;

    /**
     * A tree root: its own events (attributes, deletion) are reported; nobody else reports them.
     */
    boolean root;

    /** Watched as part of a tree. */
    boolean tree;

    /** Opens of its entries are reported. */
    boolean openedDir;

    /** Opens of this file are reported. */
    boolean openedFile;

    Watch(String path, byte[] raw) {
      this.path = path;
      this.raw = raw;
    }
  }

  private final Map<Integer, Watch> byWd = new HashMap<>();
  private final Map<String, Integer> byPath = new HashMap<>();

  Watch get(int wd) {
    return byWd.get(wd);
  }

  /** The descriptor watching {@code path}, or null. */
  Integer wd(String path) {
    return byPath.get(path);
  }

  /**
   * Records that {@code wd} watches {@code path}. The kernel returns the same descriptor for an
   * inode already watched: its watch is kept (roles included) and its path updated.
   */
  Watch put(int wd, String path, byte[] raw) {
    Watch w = byWd.get(wd);
    if (w == null) {
      w = new Watch(path, raw);
      byWd.put(wd, w);
    } else if (!w.path.equals(path)) {
      byPath.remove(w.path, wd);
      w.path = path;
      w.raw = raw;
    }
    byPath.put(path, wd);
    return w;
  }

  /** Forgets {@code wd} (the kernel dropped it: {@code IN_IGNORED}). */
  Watch remove(int wd) {
    Watch w = byWd.remove(wd);
    if (w != null) {
      byPath.remove(w.path, wd);
    }
    return w;
  }

  /** Descriptors of {@code path} and every watch below it. */
  List<Integer> under(String path) {
    List<Integer> out = new ArrayList<>();
    byWd.forEach(
        (wd, w) -> {
          if (PathText.under(w.path, path)) {
            out.add(wd);
          }
        });
    return out;
  }

  /**
   * A directory was renamed from {@code from} to {@code to}: rewrites the paths of its watch and of
   * every watch below it.
   *
   * @return how many watches were rewritten
   */
  int move(String from, byte[] fromRaw, String to, byte[] toRaw) {
    List<Integer> moved = under(from);
    for (int wd : moved) {
      byPath.remove(byWd.get(wd).path, wd);
    }
    for (int wd : moved) {
      Watch w = byWd.get(wd);
      w.path = to + w.path.substring(from.length());
      byte[] raw = Arrays.copyOf(toRaw, toRaw.length + w.raw.length - fromRaw.length);
      System.arraycopy(w.raw, fromRaw.length, raw, toRaw.length, w.raw.length - fromRaw.length);
      w.raw = raw;
      byPath.put(w.path, wd);
    }
    return moved.size();
  }

  int size() {
    return byWd.size();
  }
}
