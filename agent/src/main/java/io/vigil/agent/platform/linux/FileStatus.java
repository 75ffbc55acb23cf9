package io.vigil.agent.platform.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The inode fields of one file as {@code statx(2)} gave them, read through a descriptor or relative
 * to one (never by a path looked up again).
 *
 * @param mode the full {@code st_mode}: type and permission bits
 * @param uid owner
 * @param gid group
 * @param links number of hard links
 * @param size bytes
 * @param device {@code st_dev}, the same number as {@code unix:dev} in {@code java.nio}
 * @param inode {@code st_ino}
 * @param accessNanos access time, ns since the epoch
 * @param modifiedNanos modification time, ns since the epoch
 */
public record FileStatus(
    int mode,
    int uid,
    int gid,
    long links,
    long size,
    long device,
    long inode,
    long accessNanos,
    long modifiedNanos) {
  static final int STRUCT_SIZE = 256;

  /** STATX_BASIC_STATS. */
  static final int MASK = 0x7ff;

  private static final int S_IFMT = 0170000;

  /** Decodes a {@code struct statx}. */
  static FileStatus decode(byte[] buf) {
    ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
    return new FileStatus(
        Short.toUnsignedInt(b.getShort(28)),
        b.getInt(20),
        b.getInt(24),
        Integer.toUnsignedLong(b.getInt(16)),
        b.getLong(40),
        PathStatus.makedev(
            Integer.toUnsignedLong(b.getInt(136)), Integer.toUnsignedLong(b.getInt(140))),
        b.getLong(32),
        nanos(b, 64),
        nanos(b, 112));
  }

  private static long nanos(ByteBuffer b, int offset) {
    return b.getLong(offset) * 1_000_000_000L + Integer.toUnsignedLong(b.getInt(offset + 8));
  }

  /** {@code mode & 07777}: permissions with setuid, setgid and sticky. */
  public int permissions() {
    return mode & 07777;
  }

  public boolean isRegularFile() {
    return (mode & S_IFMT) == 0100000;
  }

  public boolean isDirectory() {
    return (mode & S_IFMT) == 0040000;
  }

  public boolean isSymbolicLink() {
    return (mode & S_IFMT) == 0120000;
  }

  /** Same device and inode: the same file, whatever its names. */
  public boolean sameFileAs(FileStatus o) {
    return device == o.device && inode == o.inode;
  }
}
