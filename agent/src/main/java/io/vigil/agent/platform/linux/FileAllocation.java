package io.vigil.agent.platform.linux;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bytes a file really occupies on disk ({@code st_blocks * 512}), which for sparse, pre-allocated
 * files such as Chronicle Queue cycles is far below their apparent size.
 *
 * <p>Uses glibc's {@code statx(2)} wrapper (glibc 2.28+) because {@code struct statx} has the same
 * layout on every architecture, unlike {@code struct stat}. Where it is unavailable (not Linux, old
 * glibc) the apparent size is returned instead: an over-estimate, so a disk cap built on it errs on
 * the safe side. Thread-safe.
 */
public final class FileAllocation {
  private static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  private static final int STATX_BLOCKS = 0x400;
  private static final int STRUCT_STATX_SIZE = 256;
  private static final int STX_MASK_OFFSET = 0;
  private static final int STX_BLOCKS_OFFSET = 48;

  private static final LibC LIBC = load();

  private FileAllocation() {}

  /** True when allocated sizes come from the kernel, false when apparent sizes stand in. */
  public static boolean exact() {
    return LIBC != null;
  }

  /** Allocated bytes of {@code file} (not following a final symlink). */
  public static long allocatedBytes(Path file) throws IOException {
    if (LIBC == null) {
      return Files.size(file);
    }
    byte[] buf = new byte[STRUCT_STATX_SIZE];
    int rc = LIBC.statx(AT_FDCWD, file.toString(), AT_SYMLINK_NOFOLLOW, STATX_BLOCKS, buf);
    if (rc != 0) {
      int errno = Native.getLastError();
      if (errno == 2) {
        throw new java.nio.file.NoSuchFileException(file.toString());
      }
      throw new IOException("statx(" + file + ") failed, errno " + errno);
    }
    ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
    if ((b.getInt(STX_MASK_OFFSET) & STATX_BLOCKS) == 0) {
      // The filesystem did not report blocks; the apparent size is the honest upper bound.
      return Files.size(file);
    }
    return b.getLong(STX_BLOCKS_OFFSET) * 512L;
  }

  private static LibC load() {
    if (!Platform.isLinux()) {
      return null;
    }
    try {
      LibC libc = Native.load("c", LibC.class);
      libc.statx(AT_FDCWD, "/", 0, STATX_BLOCKS, new byte[STRUCT_STATX_SIZE]);
      return libc;
    } catch (UnsatisfiedLinkError e) {
      return null;
    }
  }

  private interface LibC extends Library {
    int statx(int dirfd, String path, int flags, int mask, byte[] statxbuf);
  }
}
