package io.vigil.agent.platform.linux;

import com.sun.jna.Native;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An open descriptor on one file, reached through a {@link DirectoryHandle}: everything done here
 * acts on that very inode, whatever happens to its names meanwhile. The content is read or written
 * with {@code java.nio} through {@link #procPath()}, which reopens the same inode. Not thread-safe;
 * close it.
 */
public final class FileHandle implements AutoCloseable {
  private static final int MAX_VALUE = 65_536;

  private final int fd;
  private final String shown;
  private boolean closed;

  FileHandle(int fd, String shown) {
    this.fd = fd;
    this.shown = shown;
  }

  /** {@code /proc/self/fd/N}: opening it opens this inode, not whatever has its name now. */
  public Path procPath() {
    return Path.of("/proc/self/fd/" + fd);
  }

  /** {@code fstat}. */
  public FileStatus status() throws FileMetadataException {
    byte[] buf = new byte[FileStatus.STRUCT_SIZE];
    if (FileMetadataLibc.statx(
            fd, new byte[] {0}, FileMetadataLibc.AT_EMPTY_PATH, FileStatus.MASK, buf)
        != 0) {
      throw FileMetadataException.of("statx", shown, Native.getLastError());
    }
    return FileStatus.decode(buf);
  }

  /** {@code fchown}; clears setuid and setgid, and {@code security.capability}. */
  public void setOwner(int uid, int gid) throws FileMetadataException {
    check(FileMetadataLibc.fchown(fd, uid, gid), "fchown");
  }

  /** {@code fchmod} with the full permission bits. */
  public void setMode(int mode) throws FileMetadataException {
    check(FileMetadataLibc.fchmod(fd, mode & 07777), "fchmod");
  }

  /** {@code futimens} with nanoseconds. */
  public void setTimes(long accessNanos, long modifiedNanos) throws FileMetadataException {
    long[] times = {
      Math.floorDiv(accessNanos, 1_000_000_000L),
      Math.floorMod(accessNanos, 1_000_000_000L),
      Math.floorDiv(modifiedNanos, 1_000_000_000L),
      Math.floorMod(modifiedNanos, 1_000_000_000L)
    };
    check(FileMetadataLibc.futimens(fd, times), "futimens");
  }

  /** {@code fsync}. */
  public void sync() throws FileMetadataException {
    check(FileMetadataLibc.fsync(fd), "fsync");
  }

  /** Every extended attribute, by name; empty when the filesystem has none. */
  public SortedMap<String, byte[]> readAttributes() throws FileMetadataException {
    SortedMap<String, byte[]> out = new TreeMap<>();
    byte[] list = null;
    for (int attempt = 0; list == null; attempt++) {
      long size = FileMetadataLibc.flistxattr(fd, null, 0);
      if (size < 0) {
        int errno = Native.getLastError();
        if (errno == Errno.EOPNOTSUPP) {
          return out;
        }
        throw FileMetadataException.of("flistxattr", shown, errno);
      }
      if (size == 0) {
        return out;
      }
      byte[] buf = new byte[(int) size];
      long got = FileMetadataLibc.flistxattr(fd, buf, buf.length);
      if (got >= 0) {
        list = Arrays.copyOf(buf, (int) got);
      } else if (Native.getLastError() != Errno.ERANGE || attempt > 5) {
        throw FileMetadataException.of("flistxattr", shown, Native.getLastError());
      }
    }
    int start = 0;
    for (int i = 0; i < list.length; i++) {
      if (list[i] == 0) {
        if (i > start) {
          byte[] name = Arrays.copyOfRange(list, start, i + 1);
          byte[] buf = new byte[MAX_VALUE];
          long got = FileMetadataLibc.fgetxattr(fd, name, buf, buf.length);
          String n = new String(name, 0, name.length - 1, StandardCharsets.UTF_8);
          if (got >= 0) {
            out.put(n, Arrays.copyOf(buf, (int) got));
          } else if (Native.getLastError() != Errno.ENODATA) {
            throw FileMetadataException.of("fgetxattr", shown + ", " + n, Native.getLastError());
          }
        }
        start = i + 1;
      }
    }
    return out;
  }

  /** {@code fsetxattr}: creates or replaces one attribute. */
  public void writeAttribute(String name, byte[] value) throws FileMetadataException {
    if (FileMetadataLibc.fsetxattr(fd, cString(name), value, value.length, 0) != 0) {
      throw FileMetadataException.of("fsetxattr", shown + ", " + name, Native.getLastError());
    }
  }

  /** {@code fremovexattr}; an attribute that is not there is not an error. */
  public void removeAttribute(String name) throws FileMetadataException {
    if (FileMetadataLibc.fremovexattr(fd, cString(name)) != 0
        && Native.getLastError() != Errno.ENODATA) {
      throw FileMetadataException.of("fremovexattr", shown + ", " + name, Native.getLastError());
    }
  }

  int fd() {
    return fd;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      FileMetadataLibc.close(fd);
    }
  }

  private void check(int rc, String call) throws FileMetadataException {
    if (rc != 0) {
      throw FileMetadataException.of(call, shown, Native.getLastError());
    }
  }

  static byte[] cString(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return Arrays.copyOf(b, b.length + 1);
  }
}
