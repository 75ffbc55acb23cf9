package io.vigil.agent.sensor.file;

import io.vigil.agent.platform.linux.FileNotifyException;
import io.vigil.agent.platform.linux.RawFile;
import java.util.Optional;

/**
 * The attributes of an entry as {@code lstat(2)} gives them (a symbolic link is described, not
 * followed).
 *
 * @param mode {@code st_mode}: type and permission bits
 * @param uid owner
 * @param gid group
 * @param size bytes
 * @param device {@code st_dev}
 * @param inode {@code st_ino}
 */
record FileStat(int mode, int uid, int gid, long size, long device, long inode) {
  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFDIR = 0040000;

  /**
   * The entry at {@code path} (escaped text, {@link UnescapedText}) now, or empty when it is gone,
   * cannot be stat'ed or the text names no file.
   */
  static Optional<FileStat> lstat(String path) {
    byte[] raw = raw(path);
    if (raw == null) {
      return Optional.empty();
    }
    try {
      RawFile.Status s = RawFile.lstat(raw);
      return s == null ? Optional.empty() : Optional.of(of(s));
    } catch (FileNotifyException e) {
      return Optional.empty();
    }
  }

  /**
   * The raw bytes of an escaped path, or null when it is not escaped text or not a path the kernel
   * can take (empty, or holding a NUL byte that would cut it short and name another file).
   */
  static byte[] raw(String path) {
    byte[] raw;
    try {
      raw = UnescapedText.bytes(path);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (raw.length == 0) {
      return null;
    }
    for (byte b : raw) {
      if (b == 0) {
        return null;
      }
    }
    return raw;
  }

  static FileStat of(RawFile.Status s) {
    return new FileStat(s.mode(), s.uid(), s.gid(), s.size(), s.device(), s.inode());
  }

  /** The same file: device and inode. */
  boolean sameFile(RawFile.Status s) {
    return device == s.device() && inode == s.inode();
  }

  /** A regular file. */
  boolean regular() {
    return (mode & S_IFMT) == S_IFREG;
  }

  /** A directory. */
  boolean directory() {
    return (mode & S_IFMT) == S_IFDIR;
  }

  /** Some execute bit (owner, group or other) is set. */
  boolean executable() {
    return (mode & 0111) != 0;
  }
}
