package io.vigil.agent.sensor.file;

/**
 * The operation bits of a {@link FileNotification}. They are the kernel's own: fanotify's {@code
 * FAN_*} and inotify's {@code IN_*} masks share these values, so sources pass masks through
 * unchanged (inotify's rename halves arrive already joined as {@link #RENAME}).
 */
public final class FileOps {
  /** Content read (FAN_ACCESS / IN_ACCESS). */
  public static final long ACCESS = 0x1;

  /** Content written or truncated. */
  public static final long MODIFY = 0x2;

  /** Metadata changed: mode, owner, times, xattrs, link count. */
  public static final long ATTRIB = 0x4;

  /** A file opened for writing was closed. */
  public static final long CLOSE_WRITE = 0x8;

  /** A file opened read-only was closed. */
  public static final long CLOSE_NOWRITE = 0x10;

  /** Opened. */
  public static final long OPEN = 0x20;

  /** Moved out of a directory (only when the other half of the rename is unknown). */
  public static final long MOVED_FROM = 0x40;

  /** Moved into a directory (only when the other half of the rename is unknown). */
  public static final long MOVED_TO = 0x80;

  /** An entry was created in a directory. */
  public static final long CREATE = 0x100;

  /** An entry was deleted from a directory. */
  public static final long DELETE = 0x200;

  /** The watched object itself was deleted. */
  public static final long DELETE_SELF = 0x400;

  /** The watched object itself was moved. */
  public static final long MOVE_SELF = 0x800;

  /** The kernel queue overflowed: notifications were lost (no path). */
  public static final long OVERFLOW = 0x4000;

  /** A rename with both names: {@code oldPath} to {@code path} (FAN_RENAME). */
  public static final long RENAME = 0x10000000;

  /** The entry is a directory (FAN_ONDIR / IN_ISDIR). */
  public static final long ONDIR = 0x40000000;

  private FileOps() {}
}
