package io.vigil.agent.platform.linux;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The glibc calls behind quarantine and restore: extended attributes, nanosecond timestamps and a
 * rename that never replaces, and the descriptor-relative calls ({@code openat}, {@code statx},
 * {@code f*}) that act on a file reached once instead of on a path looked up again. Direct mapping,
 * bound only on 64-bit x86 and ARM Linux ({@code size_t} and {@code ssize_t} are Java {@code long},
 * {@code struct timespec} is two {@code long}s); elsewhere {@link #requireSupported} refuses. Paths
 * and attribute names are NUL-terminated byte arrays. Thread-safe (stateless); {@code
 * Native.getLastError()} gives {@code errno}.
 */
final class FileMetadataLibc {
  static final int AT_FDCWD = -100;
  static final int AT_SYMLINK_NOFOLLOW = 0x100;
  static final int RENAME_NOREPLACE = 1;
  static final int AT_EMPTY_PATH = 0x1000;
  static final int AT_SYMLINK_FOLLOW = 0x400;
  static final int O_RDONLY = 0;
  static final int O_RDWR = 2;
  static final int O_NONBLOCK = 04000;
  static final int O_CLOEXEC = 02000000;
  static final int O_PATH = 010000000;
  // The ARM ABIs number these differently from x86 (and from asm-generic).
  static final int O_NOFOLLOW = Platform.isARM() ? 0100000 : 0400000;
  static final int O_DIRECTORY = Platform.isARM() ? 040000 : 0200000;
  static final int O_TMPFILE = 020000000 | O_DIRECTORY;

  private static final boolean AVAILABLE = register();

  private FileMetadataLibc() {}

  static void requireSupported(String subject) throws FileMetadataException {
    if (!AVAILABLE) {
      throw new FileMetadataException(
          subject
              + " is supported on 64-bit x86 and ARM Linux with glibc 2.28 or later only, not "
              + System.getProperty("os.name")
              + "/"
              + System.getProperty("os.arch"),
          0);
    }
  }

  private static boolean register() {
    if (!(Platform.isLinux() && Platform.is64Bit() && (Platform.isIntel() || Platform.isARM()))) {
      return false;
    }
    try {
      Native.register(FileMetadataLibc.class, NativeLibrary.getInstance("c"));
      return true;
    } catch (UnsatisfiedLinkError e) {
      return false; // renameat2 came with glibc 2.28: callers refuse and say so
    }
  }

  static native long llistxattr(byte[] path, byte[] list, long size);

  static native long lgetxattr(byte[] path, byte[] name, byte[] value, long size);

  static native int lsetxattr(byte[] path, byte[] name, byte[] value, long size, int flags);

  static native int lremovexattr(byte[] path, byte[] name);

  /** {@code times}: atime seconds, atime nanoseconds, mtime seconds, mtime nanoseconds. */
  static native int utimensat(int dirfd, byte[] path, long[] times, int flags);

  static native int renameat2(
      int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags);

  static native int openat(int dirfd, byte[] path, int flags, int mode);

  /** {@code buf}: a {@code struct statx} (256 bytes). */
  static native int statx(int dirfd, byte[] path, int flags, int mask, byte[] buf);

  static native long readlinkat(int dirfd, byte[] path, byte[] buf, long size);

  static native int linkat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags);

  static native int unlinkat(int dirfd, byte[] path, int flags);

  static native int fchown(int fd, int uid, int gid);

  static native int fchmod(int fd, int mode);

  static native long flistxattr(int fd, byte[] list, long size);

  static native long fgetxattr(int fd, byte[] name, byte[] value, long size);

  static native int fsetxattr(int fd, byte[] name, byte[] value, long size, int flags);

  static native int fremovexattr(int fd, byte[] name);

  /** {@code times}: as for {@link #utimensat}. */
  static native int futimens(int fd, long[] times);

  static native int fsync(int fd);

  static native int close(int fd);
}
