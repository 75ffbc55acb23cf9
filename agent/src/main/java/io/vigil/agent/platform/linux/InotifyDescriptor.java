package io.vigil.agent.platform.linux;

import com.sun.jna.Native;
import java.nio.charset.StandardCharsets;

/**
 * An inotify instance ({@code inotify_init1(2)}) and its watches. The constants are the kernel's
 * ({@code <sys/inotify.h>}); the event bits equal those of {@code FileOps}. Not thread-safe (see
 * {@link NotifyDescriptor}).
 */
public final class InotifyDescriptor extends NotifyDescriptor {
  public static final int IN_ACCESS = 0x1;
  public static final int IN_MODIFY = 0x2;
  public static final int IN_ATTRIB = 0x4;
  public static final int IN_CLOSE_WRITE = 0x8;
  public static final int IN_OPEN = 0x20;
  public static final int IN_MOVED_FROM = 0x40;
  public static final int IN_MOVED_TO = 0x80;
  public static final int IN_CREATE = 0x100;
  public static final int IN_DELETE = 0x200;
  public static final int IN_DELETE_SELF = 0x400;
  public static final int IN_MOVE_SELF = 0x800;
  public static final int IN_UNMOUNT = 0x2000;
  public static final int IN_Q_OVERFLOW = 0x4000;
  public static final int IN_IGNORED = 0x8000;
  public static final int IN_ONLYDIR = 0x0100_0000;
  public static final int IN_DONT_FOLLOW = 0x0200_0000;
  public static final int IN_EXCL_UNLINK = 0x0400_0000;
  public static final int IN_MASK_ADD = 0x2000_0000;
  public static final int IN_ISDIR = 0x4000_0000;

  private static final int IN_NONBLOCK = FileNotifyLibc.O_NONBLOCK;
  private static final int IN_CLOEXEC = FileNotifyLibc.O_CLOEXEC;

  private InotifyDescriptor(int fd) {
    super(fd, "inotify");
  }

  /**
   * {@code inotify_init1(IN_NONBLOCK | IN_CLOEXEC)}.
   *
   * @throws FileNotifyException with the errno ({@code EMFILE}: {@code
   *     fs.inotify.max_user_instances} reached)
   */
  public static InotifyDescriptor open() throws FileNotifyException {
    FileNotifyLibc.requireSupported("inotify");
    int fd = FileNotifyLibc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      throw FileNotifyException.of("inotify_init1", Native.getLastError());
    }
    return new InotifyDescriptor(fd);
  }

  /**
   * {@code inotify_add_watch(fd, path, mask)}; an object already watched keeps its watch descriptor
   * (its mask replaced, or extended with {@link #IN_MASK_ADD}).
   *
   * @return the watch descriptor
   * @throws FileNotifyException with the errno ({@code ENOSPC}: {@code fs.inotify.max_user_watches}
   *     reached; {@code ENOENT}: gone)
   */
  public int addWatch(byte[] path, int mask) throws FileNotifyException {
    requireOpen();
    int wd = FileNotifyLibc.inotify_add_watch(fd(), FileNotifyLibc.cString(path), mask);
    if (wd < 0) {
      throw FileNotifyException.of(
          "inotify_add_watch(" + new String(path, StandardCharsets.UTF_8) + ")",
          Native.getLastError());
    }
    return wd;
  }

  /** {@code inotify_rm_watch}; a watch the kernel already dropped is not an error. */
  public void removeWatch(int wd) throws FileNotifyException {
    requireOpen();
    FileNotifyLibc.inotify_rm_watch(fd(), wd);
  }
}
