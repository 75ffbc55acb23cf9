package io.vigil.agent.platform.linux;

import com.sun.jna.Native;
import java.nio.charset.StandardCharsets;

/**
 * A fanotify group ({@code fanotify_init(2)}) and its marks ({@code fanotify_mark(2)}). The
 * constants are the kernel's ({@code <linux/fanotify.h>}); the event bits equal those of {@code
 * FileOps}. Not thread-safe (see {@link NotifyDescriptor}).
 */
public final class FanotifyDescriptor extends NotifyDescriptor {
  // fanotify_init flags
  public static final int FAN_CLOEXEC = 0x1;
  public static final int FAN_NONBLOCK = 0x2;
  public static final int FAN_CLASS_NOTIF = 0x0;
  public static final int FAN_UNLIMITED_QUEUE = 0x10;
  public static final int FAN_REPORT_FID = 0x200;
  public static final int FAN_REPORT_DIR_FID = 0x400;
  public static final int FAN_REPORT_NAME = 0x800;

  // event_f_flags
  public static final int O_RDONLY = FileNotifyLibc.O_RDONLY;
  public static final int O_LARGEFILE = FileNotifyLibc.O_LARGEFILE;
  public static final int O_CLOEXEC = FileNotifyLibc.O_CLOEXEC;

  // fanotify_mark flags
  public static final int FAN_MARK_ADD = 0x1;
  public static final int FAN_MARK_REMOVE = 0x2;
  public static final int FAN_MARK_DONT_FOLLOW = 0x4;
  public static final int FAN_MARK_ONLYDIR = 0x8;
  public static final int FAN_MARK_FILESYSTEM = 0x100;

  // event mask bits
  public static final long FAN_MODIFY = 0x2;
  public static final long FAN_ATTRIB = 0x4;
  public static final long FAN_CLOSE_WRITE = 0x8;
  public static final long FAN_OPEN = 0x20;
  public static final long FAN_MOVED_FROM = 0x40;
  public static final long FAN_MOVED_TO = 0x80;
  public static final long FAN_CREATE = 0x100;
  public static final long FAN_DELETE = 0x200;
  public static final long FAN_DELETE_SELF = 0x400;
  public static final long FAN_MOVE_SELF = 0x800;
  public static final long FAN_Q_OVERFLOW = 0x4000;
  public static final long FAN_EVENT_ON_CHILD = 0x0800_0000L;
  public static final long FAN_RENAME = 0x1000_0000L;
  public static final long FAN_ONDIR = 0x4000_0000L;

  private FanotifyDescriptor(int fd) {
    super(fd, "fanotify");
  }

  /**
   * {@code fanotify_init(flags, eventFileFlags)}.
   *
   * @throws FileNotifyException with the errno: {@code EPERM} without {@code CAP_SYS_ADMIN} (for
   *     flags an unprivileged group may not use), {@code EINVAL} for flags the kernel does not
   *     know, {@code ENOSYS} without {@code CONFIG_FANOTIFY}, {@code EMFILE} at the group limit
   */
  public static FanotifyDescriptor open(int flags, int eventFileFlags) throws FileNotifyException {
    FileNotifyLibc.requireSupported("fanotify");
    int fd = FileNotifyLibc.fanotify_init(flags, eventFileFlags);
    if (fd < 0) {
      throw FileNotifyException.of("fanotify_init", Native.getLastError());
    }
    return new FanotifyDescriptor(fd);
  }

  /**
   * {@code fanotify_mark(fd, flags, mask, AT_FDCWD, path)}.
   *
   * @param path the object (or, with {@link #FAN_MARK_FILESYSTEM}, any path on the filesystem)
   * @throws FileNotifyException with the errno, the call naming the path
   */
  public void mark(int flags, long mask, byte[] path) throws FileNotifyException {
    requireOpen();
    int rc =
        FileNotifyLibc.fanotify_mark(
            fd(), flags, mask, FileNotifyLibc.AT_FDCWD, FileNotifyLibc.cString(path));
    if (rc != 0) {
      String kind = (flags & FAN_MARK_FILESYSTEM) != 0 ? "FAN_MARK_FILESYSTEM" : "inode mark";
      throw FileNotifyException.of(
          "fanotify_mark(" + kind + ", " + new String(path, StandardCharsets.UTF_8) + ")",
          Native.getLastError());
    }
  }
}
