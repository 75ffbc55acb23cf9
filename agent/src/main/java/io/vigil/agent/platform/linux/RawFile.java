package io.vigil.agent.platform.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A file named by its raw path bytes (file names are bytes, not text): {@code lstat} without
 * following a final link, and a read-only descriptor opened with {@code
 * O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC}, so that a symbolic link swapped in fails ({@code ELOOP}) and a
 * FIFO or a device swapped in neither blocks the open nor the caller, who checks {@link #status} of
 * the descriptor before reading. Available on 64-bit x86 and ARM Linux. An instance is one open
 * descriptor; not thread-safe.
 */
public final class RawFile implements AutoCloseable {
  /**
   * The attributes {@code statx(2)} gives.
   *
   * @param mode {@code st_mode}: type and permission bits
   * @param uid owner
   * @param gid group
   * @param size bytes
   * @param device {@code st_dev} as {@code stat(2)} reports it ({@link PathStatus#makedev})
   * @param inode {@code st_ino}
   */
  public record Status(int mode, int uid, int gid, long size, long device, long inode) {
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;

    /** A regular file. */
    public boolean regular() {
      return (mode & S_IFMT) == S_IFREG;
    }
  }

  private static final int O_RDONLY = 0;
  private static final int O_NONBLOCK = 04000;
  // The ARM ABIs number O_NOFOLLOW differently from x86 (and from asm-generic).
  private static final int O_NOFOLLOW = Platform.isARM() ? 0100000 : 0400000;
  private static final int O_CLOEXEC = 02000000;
  private static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  private static final int AT_EMPTY_PATH = 0x1000;
  private static final int STATX_BASIC_STATS = 0x7FF;
  private static final int STRUCT_STATX_SIZE = 256;

  private static final LibC LIBC = load();

  private int fd;

  private RawFile(int fd) {
    this.fd = fd;
  }

  /** True when the calls are available here. */
  public static boolean available() {
    return LIBC != null;
  }

  /**
   * {@code lstat} of {@code path}: a final symbolic link is described, not followed.
   *
   * @return null when there is no such entry ({@code ENOENT}, {@code ENOTDIR})
   * @throws FileNotifyException for any other failure
   */
  public static Status lstat(byte[] path) throws FileNotifyException {
    require();
    byte[] buf = new byte[STRUCT_STATX_SIZE];
    if (LIBC.statx(AT_FDCWD, cString(path), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf) != 0) {
      int errno = Native.getLastError();
      if (errno == Errno.ENOENT || errno == Errno.ENOTDIR) {
        return null;
      }
      throw FileNotifyException.of("statx", errno);
    }
    return status(buf);
  }

  /**
   * Opens {@code path} for reading with {@code O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC}.
   *
   * @throws FileNotifyException with the errno ({@code ELOOP}: the last component is a link)
   */
  public static RawFile open(byte[] path) throws FileNotifyException {
    require();
    int fd = LIBC.open(cString(path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      throw FileNotifyException.of("open", Native.getLastError());
    }
    return new RawFile(fd);
  }

  /** {@code fstat} of the open file. */
  public Status status() throws FileNotifyException {
    byte[] buf = new byte[STRUCT_STATX_SIZE];
    if (LIBC.statx(fd, new byte[] {0}, AT_EMPTY_PATH, STATX_BASIC_STATS, buf) != 0) {
      throw FileNotifyException.of("statx", Native.getLastError());
    }
    return status(buf);
  }

  /**
   * Reads up to {@code len} bytes into {@code buf}.
   *
   * @return bytes read, 0 at the end of the file
   */
  public int read(byte[] buf, int len) throws FileNotifyException {
    while (true) {
      long n = LIBC.read(fd, buf, Math.min(len, buf.length));
      if (n >= 0) {
        return (int) n;
      }
      int errno = Native.getLastError();
      if (errno != Errno.EINTR) {
        throw FileNotifyException.of("read", errno);
      }
    }
  }

  @Override
  public void close() {
    if (fd >= 0) {
      LIBC.close(fd);
      fd = -1;
    }
  }

  private static Status status(byte[] buf) {
    ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
    int uid = b.getInt(20);
    int gid = b.getInt(24);
    int mode = Short.toUnsignedInt(b.getShort(28));
    long ino = b.getLong(32);
    long size = b.getLong(40);
    long major = Integer.toUnsignedLong(b.getInt(136));
    long minor = Integer.toUnsignedLong(b.getInt(140));
    return new Status(mode, uid, gid, size, PathStatus.makedev(major, minor), ino);
  }

  private static byte[] cString(byte[] path) {
    return Arrays.copyOf(path, path.length + 1);
  }

  private static void require() throws FileNotifyException {
    if (LIBC == null) {
      throw FileNotifyException.of("libc", Errno.ENOSYS);
    }
  }

  private static LibC load() {
    if (!Platform.isLinux() || !Platform.is64Bit() || !(Platform.isIntel() || Platform.isARM())) {
      return null;
    }
    try {
      return Native.load("c", LibC.class);
    } catch (UnsatisfiedLinkError e) {
      return null;
    }
  }

  private interface LibC extends Library {
    int open(byte[] path, int flags);

    long read(int fd, byte[] buf, long count);

    int statx(int dirfd, byte[] path, int flags, int mask, byte[] buf);

    int close(int fd);
  }
}
