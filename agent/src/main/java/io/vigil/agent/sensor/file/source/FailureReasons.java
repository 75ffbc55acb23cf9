package io.vigil.agent.sensor.file.source;

import io.vigil.agent.platform.linux.Errno;
import io.vigil.agent.platform.linux.FileNotifyException;

/**
 * Turns a failed fanotify or inotify call into words an operator can act on: the call, the errno
 * and what it means here, e.g. {@code "fanotify_init failed: EPERM (needs CAP_SYS_ADMIN)"}.
 * Stateless.
 */
final class FailureReasons {
  private FailureReasons() {}

  /** The failure of a fanotify call. */
  static String fanotify(FileNotifyException e) {
    String hint = fanotifyHint(e.call(), e.errno());
    return hint.isEmpty() ? e.getMessage() : e.getMessage() + " (" + hint + ")";
  }

  /** The failure of an inotify call. */
  static String inotify(FileNotifyException e) {
    String hint =
        switch (e.errno()) {
          case Errno.EMFILE ->
              "inotify instance limit: fs.inotify.max_user_instances, or the"
                  + " process's open-file limit";
          case Errno.ENOSPC -> "inotify watch limit: fs.inotify.max_user_watches";
          case Errno.ENOSYS -> "kernel built without CONFIG_INOTIFY_USER";
          case Errno.EACCES -> "no read permission on the directory";
          default -> "";
        };
    return hint.isEmpty() ? e.getMessage() : e.getMessage() + " (" + hint + ")";
  }

  static String fanotifyHint(String call, int errno) {
    if (call.startsWith("fanotify_init")) {
      return switch (errno) {
        case Errno.EPERM -> "needs CAP_SYS_ADMIN";
        case Errno.EINVAL -> "kernel older than 5.9: no FAN_REPORT_DIR_FID or FAN_REPORT_NAME";
        case Errno.ENOSYS -> "kernel built without CONFIG_FANOTIFY";
        case Errno.EMFILE ->
            "fanotify group limit: fs.fanotify.max_user_groups, or the"
                + " process's open-file limit";
        case Errno.ENOMEM -> "out of kernel memory";
        default -> "";
      };
    }
    if (call.startsWith("fanotify_mark")) {
      return switch (errno) {
        case Errno.EPERM -> "filesystem marks need CAP_SYS_ADMIN";
        case Errno.ENODEV -> "the filesystem reports no fsid";
        case Errno.EOPNOTSUPP -> "the filesystem cannot encode file handles";
        case Errno.EXDEV ->
            "the filesystem's fsid is not unique to it (a btrfs subvolume, an"
                + " overlayfs or a bind mount of part of a filesystem)";
        case Errno.ENOSPC -> "fanotify mark limit: fs.fanotify.max_user_marks";
        case Errno.EINVAL -> "kernel does not support these event flags";
        case Errno.ENOENT -> "the path vanished";
        default -> "";
      };
    }
    if (call.startsWith("open(") || call.startsWith("fstatfs")) {
      return errno == Errno.EACCES || errno == Errno.EPERM
          ? "needs CAP_DAC_READ_SEARCH to resolve file handles"
          : "";
    }
    return "";
  }
}
