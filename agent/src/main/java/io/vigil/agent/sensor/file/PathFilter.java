package io.vigil.agent.sensor.file;

/**
 * Decides per notification what the sensor reports: changes inside the watched trees, opens of the
 * configured sensitive paths, never anything inside an exclusion or the agent's own directories
 * (the inotify source cannot tell the agent's own writes apart, so this is what keeps the spool
 * from reporting itself). Runs on the reader thread for every notification, so it allocates at most
 * the ancestor strings of one path. Immutable and thread-safe.
 */
final class PathFilter {
  /** The operations reported for paths in the watched trees. */
  static final long CHANGE_OPS =
      FileOps.CREATE
          | FileOps.MODIFY
          | FileOps.ATTRIB
          | FileOps.CLOSE_WRITE
          | FileOps.MOVED_FROM
          | FileOps.MOVED_TO
          | FileOps.DELETE
          | FileOps.DELETE_SELF;

  private final PathPatterns watched;
  private final PathPatterns excluded;
  private final PathPatterns opened;

  /**
   * @param watched canonical watch patterns
   * @param excluded canonical exclusions and the agent's own paths
   * @param opened canonical paths whose opens are reported
   */
  PathFilter(PathPatterns watched, PathPatterns excluded, PathPatterns opened) {
    this.watched = watched;
    this.excluded = excluded;
    this.opened = opened;
  }

  /** True when changes of {@code path} are reported. */
  boolean reportable(String path) {
    return watched.covers(path) && !excluded.covers(path);
  }

  /** True when opens of {@code path} are reported. */
  boolean openReportable(String path) {
    return opened.covers(path) && !excluded.covers(path);
  }

  /**
   * The operation bits of {@code n} that are reported (with {@link FileOps#ONDIR} kept), or 0 when
   * the notification is to be dropped. A rename is kept whole when either of its paths is
   * reportable: a file moved into or out of a watched tree is news in both cases.
   */
  long relevantMask(FileNotification n) {
    long mask = n.mask();
    if ((mask & FileOps.RENAME) != 0) {
      return reportable(n.path()) || reportable(n.oldPath())
          ? FileOps.RENAME | (mask & FileOps.ONDIR)
          : 0;
    }
    long keep = 0;
    if ((mask & CHANGE_OPS) != 0 && reportable(n.path())) {
      keep |= mask & CHANGE_OPS;
    }
    if ((mask & FileOps.OPEN) != 0 && openReportable(n.path())) {
      keep |= FileOps.OPEN;
    }
    return keep == 0 ? 0 : keep | (mask & FileOps.ONDIR);
  }
}
