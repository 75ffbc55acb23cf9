package io.vigil.agent.platform.linux;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The glibc calls behind fanotify, inotify, file handles and directory listing, bound with JNA
 * direct mapping: a busy filesystem produces tens of thousands of notifications a second, each
 * needing a {@code read} share and often an {@code open_by_handle_at}, {@code readlink} and {@code
 * close}, and an interface-mapped call costs a proxy, reflection and per-argument conversion.
 *
 * <p>Bound only on 64-bit x86 and ARM Linux ({@code size_t}, {@code ssize_t} and {@code nfds_t} are
 * mapped to Java {@code long}; {@code struct statfs} and {@code struct statx} are read at their
 * generic 64-bit offsets); elsewhere {@link #requireSupported} refuses. Paths are passed as
 * NUL-terminated byte arrays, never Strings, so that names that are not valid in the JVM's file
 * encoding reach the kernel unchanged. Thread-safe (stateless); {@code Native.getLastError()} gives
 * {@code errno} after a failed call on the calling thread.
 */
final class FileNotifyLibc {
  static final int O_RDONLY = 0;
  static final int O_NONBLOCK = 0x800;
  // AArch64 has its own values for these three (arch/arm64/include/uapi/asm/fcntl.h).
  static final int O_DIRECTORY = Platform.isARM() ? 0x4000 : 0x10000;
  static final int O_NOFOLLOW = Platform.isARM() ? 0x8000 : 0x20000;
  static final int O_LARGEFILE = Platform.isARM() ? 0x20000 : 0x8000;
  static final int O_CLOEXEC = 0x80000;
  static final int O_PATH = 0x200000;
  static final int AT_FDCWD = -100;
  static final int AT_SYMLINK_NOFOLLOW = 0x100;

  static final int EINTR = 4;
  static final int EAGAIN = 11;

  private static final boolean AVAILABLE = register();
  // getdents64 has a glibc wrapper only since 2.30 (RHEL 8 has 2.28), so it goes through
  // syscall(2) with the architecture's number.
  private static final long SYS_GETDENTS64 = Platform.isIntel() ? 217 : 61;

  private FileNotifyLibc() {}

  /** Throws, naming {@code subject} and this platform, unless the calls are bound here. */
  static void requireSupported(String subject) throws FileNotifyException {
    if (!AVAILABLE) {
      throw new FileNotifyException(
          subject
              + " is supported on 64-bit x86 and ARM Linux only, not "
              + System.getProperty("os.name")
              + "/"
              + System.getProperty("os.arch"),
          subject,
          0);
    }
  }

  /** NUL-terminated copy of {@code path} for the kernel. */
  static byte[] cString(byte[] path) {
    byte[] c = new byte[path.length + 1];
    System.arraycopy(path, 0, c, 0, path.length);
    return c;
  }

  static long getdents64(int fd, Pointer buf, long count) {
    return syscall(SYS_GETDENTS64, fd, buf, count);
  }

  private static boolean register() {
    if (!(Platform.isLinux() && Platform.is64Bit() && (Platform.isIntel() || Platform.isARM()))) {
      return false;
    }
    try {
      Native.register(FileNotifyLibc.class, NativeLibrary.getInstance("c"));
      return true;
    } catch (UnsatisfiedLinkError e) {
      return false; // a libc without one of the calls: the sources refuse and say so
    }
  }

  static native int fanotify_init(int flags, int eventFileFlags);

  static native int fanotify_mark(int fd, int flags, long mask, int dirfd, byte[] path);

  static native int inotify_init1(int flags);

  static native int inotify_add_watch(int fd, byte[] path, int mask);

  static native int inotify_rm_watch(int fd, int wd);

  static native long read(int fd, Pointer buf, long count);

  // Native memory, not a Java array: the call blocks, and a pinned array could hold up the GC.
  static native int poll(Pointer fds, long nfds, int timeoutMillis);

  static native int open(byte[] path, int flags);

  static native int open_by_handle_at(int mountFd, byte[] handle, int flags);

  static native long readlink(byte[] path, byte[] buf, long size);

  static native int close(int fd);

  static native int fstatfs(int fd, byte[] buf);

  static native int statx(int dirfd, byte[] path, int flags, int mask, byte[] buf);

  // The libc syscall(2) entry is variadic; on x86-64 and AArch64 Linux integer and pointer
  // arguments travel in the same registers either way, and glibc's syscall does not read %al.
  private static native long syscall(long number, int fd, Pointer buf, long count);
}
