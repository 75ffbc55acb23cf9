package io.vigil.agent.platform.linux;

import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The device and type of a path ({@code statx(2)}), with the path as raw bytes. Used to group watch
 * trees by filesystem ({@code st_dev}) and to type directory entries the filesystem did not type.
 *
 * @param device {@code makedev(major, minor)} as the kernel's {@code st_dev} (the same number as
 *     the {@code major:minor} field of {@code /proc/self/mountinfo})
 * @param directory true for a directory
 * @param symlink true for a symbolic link (only when not following links)
 */
public record PathStatus(long device, boolean directory, boolean symlink) {
  private static final int STATX_TYPE = 0x1;
  private static final int STRUCT_STATX_SIZE = 256;
  private static final int STX_MODE_OFFSET = 28;
  private static final int STX_DEV_MAJOR_OFFSET = 136;
  private static final int STX_DEV_MINOR_OFFSET = 140;
  private static final int S_IFMT = 0xF000;
  private static final int S_IFDIR = 0x4000;
  private static final int S_IFLNK = 0xA000;

  /**
   * The status of {@code path}.
   *
   * @param followLinks false to describe a final symbolic link itself
   * @return null when the path does not exist ({@code ENOENT}, {@code ENOTDIR})
   * @throws FileNotifyException for any other failure
   */
  public static PathStatus of(byte[] path, boolean followLinks) throws FileNotifyException {
    FileNotifyLibc.requireSupported("statx");
    byte[] buf = new byte[STRUCT_STATX_SIZE];
    int rc =
        FileNotifyLibc.statx(
            FileNotifyLibc.AT_FDCWD,
            FileNotifyLibc.cString(path),
            followLinks ? 0 : FileNotifyLibc.AT_SYMLINK_NOFOLLOW,
            STATX_TYPE,
            buf);
    if (rc != 0) {
      int errno = Native.getLastError();
      if (errno == Errno.ENOENT || errno == Errno.ENOTDIR) {
        return null;
      }
      throw FileNotifyException.of(
          "statx(" + new String(path, StandardCharsets.UTF_8) + ")", errno);
    }
    ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
    int mode = Short.toUnsignedInt(b.getShort(STX_MODE_OFFSET)) & S_IFMT;
    long major = Integer.toUnsignedLong(b.getInt(STX_DEV_MAJOR_OFFSET));
    long minor = Integer.toUnsignedLong(b.getInt(STX_DEV_MINOR_OFFSET));
    return new PathStatus(makedev(major, minor), mode == S_IFDIR, mode == S_IFLNK);
  }

  /** glibc's {@code makedev}. */
  public static long makedev(long major, long minor) {
    return ((major & 0xFFFL) << 8)
        | ((major & ~0xFFFL) << 32)
        | (minor & 0xFFL)
        | ((minor & ~0xFFL) << 12);
  }
}
