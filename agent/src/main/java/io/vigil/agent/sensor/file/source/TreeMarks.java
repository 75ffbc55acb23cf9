package io.vigil.agent.sensor.file.source;

import io.vigil.agent.platform.linux.Errno;
import java.util.ArrayList;
import java.util.List;

/**
 * Which top-level trees fanotify could mark, and whether fanotify is still worth using: a tree on a
 * filesystem that cannot report file handles or an fsid is left unmarked (counted and named), and
 * the source falls back to inotify only when no tree could be marked. Not thread-safe.
 */
final class TreeMarks {
  // Bounds the warning and the fallback reason: tree paths come from the configuration, but one
  // glob may expand to many of them.
  private static final int NAMED_TREES = 16;

  private final List<String> failures = new ArrayList<>();
  private int marked;
  private int failed;

  /**
   * Whether a filesystem mark failing with {@code errno} concerns only that tree's filesystem (no
   * file handles, no usable fsid, flags it refuses), so that other trees may still be marked. Other
   * failures (permissions, limits) would fail every tree alike.
   */
  static boolean filesystemSpecific(int errno) {
    return errno == Errno.EINVAL
        || errno == Errno.ENODEV
        || errno == Errno.EXDEV
        || errno == Errno.EOPNOTSUPP;
  }

  /** A tree is watched: its filesystem was marked now or for an earlier tree. */
  void marked() {
    marked++;
  }

  /** The filesystem of {@code tree} refused a mark, for {@code reason}. */
  void failed(String tree, String reason) {
    failed++;
    if (failures.size() < NAMED_TREES) {
      failures.add(tree + ": " + reason);
    }
  }

  /** How many trees could not be marked. */
  int failedCount() {
    return failed;
  }

  /** True when trees were refused and none marked: fanotify would watch nothing of them. */
  boolean fallBack() {
    return marked == 0 && failed > 0;
  }

  /** The refused trees with their reasons, e.g. {@code "/proc/x: fanotify_mark ... (...)"}. */
  String describe() {
    String named = String.join("; ", failures);
    int more = failed - failures.size();
    return more > 0 ? named + "; and " + more + " more" : named;
  }
}
