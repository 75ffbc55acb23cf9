package io.vigil.agent.platform.linux;

import com.sun.jna.Native;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What {@code java.nio} cannot do to a file's metadata: every extended attribute in every namespace
 * ({@code user.}, {@code trusted.}, {@code security.} including file capabilities and SELinux
 * labels, {@code system.} ACLs), timestamps with nanoseconds, and a rename that refuses to replace.
 * None of them follows a final symbolic link. Thread-safe (stateless); every call blocks on the
 * filesystem.
 */
public final class FileMetadata {
  /** Attribute values are at most 64 KiB on Linux ({@code XATTR_SIZE_MAX}). */
  private static final int MAX_VALUE = 65_536;

  private FileMetadata() {}

  /** What {@link #renameNoReplace} did. */
  public enum RenameOutcome {
    RENAMED,
    /** Something exists at the target: nothing was changed. */
    TARGET_EXISTS,
    /** Source and target are on different filesystems: nothing was changed. */
    CROSS_DEVICE
  }

  /**
   * Every extended attribute of {@code path} (not following a final link), by name. Empty when the
   * filesystem has none or does not support them.
   *
   * @throws FileMetadataException when listing or reading fails
   */
  public static SortedMap<String, byte[]> readAttributes(Path path) throws FileMetadataException {
    FileMetadataLibc.requireSupported("llistxattr");
    byte[] p = cPath(path);
    SortedMap<String, byte[]> out = new TreeMap<>();
    byte[] list = null;
    // The list may grow between the size query and the read (ERANGE): ask again.
    for (int attempt = 0; list == null; attempt++) {
      long size = FileMetadataLibc.llistxattr(p, null, 0);
      if (size < 0) {
        int errno = Native.getLastError();
        if (errno == Errno.EOPNOTSUPP) {
          return out;
        }
        throw FileMetadataException.of("llistxattr", path.toString(), errno);
      }
      if (size == 0) {
        return out;
      }
      byte[] buf = new byte[(int) size];
      long got = FileMetadataLibc.llistxattr(p, buf, buf.length);
      if (got >= 0) {
        list = Arrays.copyOf(buf, (int) got);
      } else if (Native.getLastError() != Errno.ERANGE || attempt > 5) {
        throw FileMetadataException.of("llistxattr", path.toString(), Native.getLastError());
      }
    }
    int start = 0;
    for (int i = 0; i < list.length; i++) {
      if (list[i] == 0) {
        if (i > start) {
          byte[] name = Arrays.copyOfRange(list, start, i + 1); // with its NUL
          byte[] value = readAttribute(p, name, path);
          if (value != null) {
            out.put(new String(name, 0, name.length - 1, StandardCharsets.UTF_8), value);
          }
        }
        start = i + 1;
      }
    }
    return out;
  }

  /** The value, or null when the attribute went away since it was listed. */
  private static byte[] readAttribute(byte[] p, byte[] name, Path path)
      throws FileMetadataException {
    byte[] buf = new byte[MAX_VALUE];
    long got = FileMetadataLibc.lgetxattr(p, name, buf, buf.length);
    if (got < 0) {
      int errno = Native.getLastError();
      if (errno == Errno.ENODATA) {
        return null;
      }
      throw FileMetadataException.of(
          "lgetxattr",
          path + ", " + new String(name, 0, name.length - 1, StandardCharsets.UTF_8),
          errno);
    }
    return Arrays.copyOf(buf, (int) got);
  }

  /**
   * Sets (creates or replaces) one extended attribute of {@code path}, not following a final link.
   *
   * @throws FileMetadataException when the kernel refuses
   */
  public static void writeAttribute(Path path, String name, byte[] value)
      throws FileMetadataException {
    FileMetadataLibc.requireSupported("lsetxattr");
    byte[] n = cString(name.getBytes(StandardCharsets.UTF_8));
    if (FileMetadataLibc.lsetxattr(cPath(path), n, value, value.length, 0) != 0) {
      throw FileMetadataException.of("lsetxattr", path + ", " + name, Native.getLastError());
    }
  }

  /**
   * Removes one extended attribute; an attribute that is not there is not an error.
   *
   * @throws FileMetadataException when the kernel refuses
   */
  public static void removeAttribute(Path path, String name) throws FileMetadataException {
    FileMetadataLibc.requireSupported("lremovexattr");
    byte[] n = cString(name.getBytes(StandardCharsets.UTF_8));
    if (FileMetadataLibc.lremovexattr(cPath(path), n) != 0) {
      int errno = Native.getLastError();
      if (errno != Errno.ENODATA) {
        throw FileMetadataException.of("lremovexattr", path + ", " + name, errno);
      }
    }
  }

  /**
   * Sets access and modification times with nanoseconds ({@code utimensat}, not following a final
   * link).
   *
   * @param accessNanos access time, ns since the epoch
   * @param modifiedNanos modification time, ns since the epoch
   * @throws FileMetadataException when the kernel refuses
   */
  public static void setTimes(Path path, long accessNanos, long modifiedNanos)
      throws FileMetadataException {
    FileMetadataLibc.requireSupported("utimensat");
    long[] times = {
      Math.floorDiv(accessNanos, 1_000_000_000L),
      Math.floorMod(accessNanos, 1_000_000_000L),
      Math.floorDiv(modifiedNanos, 1_000_000_000L),
      Math.floorMod(modifiedNanos, 1_000_000_000L)
    };
    if (FileMetadataLibc.utimensat(
            FileMetadataLibc.AT_FDCWD, cPath(path), times, FileMetadataLibc.AT_SYMLINK_NOFOLLOW)
        != 0) {
      throw FileMetadataException.of("utimensat", path.toString(), Native.getLastError());
    }
  }

  /**
   * Renames {@code from} to {@code to} unless something exists at {@code to} ({@code renameat2}
   * with {@code RENAME_NOREPLACE}: the check and the rename are one step).
   *
   * @throws FileMetadataException for any failure but an existing target or another filesystem
   */
  public static RenameOutcome renameNoReplace(Path from, Path to) throws FileMetadataException {
    FileMetadataLibc.requireSupported("renameat2");
    int rc =
        FileMetadataLibc.renameat2(
            FileMetadataLibc.AT_FDCWD,
            cPath(from),
            FileMetadataLibc.AT_FDCWD,
            cPath(to),
            FileMetadataLibc.RENAME_NOREPLACE);
    if (rc == 0) {
      return RenameOutcome.RENAMED;
    }
    int errno = Native.getLastError();
    if (errno == Errno.EEXIST) {
      return RenameOutcome.TARGET_EXISTS;
    }
    if (errno == Errno.EXDEV) {
      return RenameOutcome.CROSS_DEVICE;
    }
    throw FileMetadataException.of("renameat2", from + " -> " + to, errno);
  }

  private static byte[] cPath(Path path) {
    return cString(path.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] cString(byte[] s) {
    return Arrays.copyOf(s, s.length + 1);
  }
}
