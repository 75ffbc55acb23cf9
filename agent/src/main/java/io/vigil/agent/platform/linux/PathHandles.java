package io.vigil.agent.platform.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code O_PATH} descriptors: a handle on a file that is not an open of it. Opening a FIFO for
 * reading blocks until a writer comes, and opening a device can act on it (a tape rewinds); an
 * {@code O_PATH} handle does neither, yet pins the very inode, so the file's type can be checked on
 * the handle and only a regular file is then opened for reading, through {@code /proc/self/fd/N},
 * with no window in which another file could be swapped in at the path.
 *
 * <p>Paths are resolved with {@code openat2(RESOLVE_NO_SYMLINKS)} (Linux 5.6) where the kernel
 * allows it, so that no component of a path is followed through a symbolic link: a baseline path
 * whose directory was replaced by a link to elsewhere is gone, not silently the file elsewhere.
 * Without {@code openat2} (older kernels, seccomp filters) only the last component is not followed.
 *
 * <p>Available on 64-bit x86 and ARM Linux, where the flag values below hold. Thread-safe.
 */
public final class PathHandles {
  public static final int ENOENT = 2;
  public static final int EACCES = 13;
  public static final int ENOTDIR = 20;
  public static final int ELOOP = 40;

  private static final int ENOSYS = 38;
  private static final int AT_FDCWD = -100;
  private static final int O_CLOEXEC = 02000000;
  private static final int O_PATH = 010000000;
  // The ARM ABIs number O_NOFOLLOW differently from x86 (and from asm-generic).
  private static final int O_NOFOLLOW = Platform.isARM() ? 0100000 : 0400000;
  private static final long SYS_OPENAT2 = 437; // the same number on x86-64 and arm64
  private static final long RESOLVE_NO_SYMLINKS = 0x04;
  private static final int PATH_MAX = 4096;

  private static final LibC LIBC = load();

  /** Path names are encoded as the JDK encodes them, so that a listed name opens the same file. */
  private static final Charset NAMES = namesCharset();

  private volatile boolean openat2 = LIBC != null;

  /** True when handles can be opened here (64-bit Linux with a loadable C library). */
  public static boolean available() {
    return LIBC != null;
  }

  /**
   * Opens an {@code O_PATH} handle on {@code path} without following symbolic links.
   *
   * @return the descriptor, or minus the errno: {@code -ENOENT}, {@code -ENOTDIR} and {@code
   *     -ELOOP} (a component is a link, with {@code openat2}) mean there is no such file at that
   *     path
   */
  public int open(String path) {
    byte[] name = cString(path);
    int flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
    if (openat2) {
      ByteBuffer how = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
      how.putLong(0, flags).putLong(8, 0).putLong(16, RESOLVE_NO_SYMLINKS);
      long fd = LIBC.syscall(SYS_OPENAT2, AT_FDCWD, name, how.array(), 24L);
      if (fd >= 0) {
        return (int) fd;
      }
      int errno = Native.getLastError();
      if (errno != ENOSYS && errno != 1 /* EPERM: a seccomp filter */) {
        return -errno;
      }
      openat2 = false;
    }
    int fd = LIBC.open(name, flags);
    return fd >= 0 ? fd : -Native.getLastError();
  }

  /** The target of the symbolic link {@code fd} is a handle on, or null when it cannot be read. */
  public String linkTarget(int fd) {
    byte[] buf = new byte[PATH_MAX];
    long n = LIBC.readlinkat(fd, new byte[] {0}, buf, buf.length);
    if (n < 0) {
      return null;
    }
    return new String(buf, 0, (int) Math.min(n, buf.length), NAMES);
  }

  /** Whether paths are resolved without following any link ({@code openat2}). */
  public boolean noSymlinksAnywhere() {
    return openat2;
  }

  public void close(int fd) {
    LIBC.close(fd);
  }

  private static byte[] cString(String s) {
    byte[] b = s.getBytes(NAMES);
    return Arrays.copyOf(b, b.length + 1);
  }

  private static Charset namesCharset() {
    try {
      return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    } catch (RuntimeException e) {
      return StandardCharsets.UTF_8;
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

    long syscall(long number, Object... args);

    long readlinkat(int dirfd, byte[] path, byte[] buf, long size);

    int close(int fd);
  }
}
