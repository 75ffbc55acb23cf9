package io.vigil.agent.platform.linux;

import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A directory held open on one filesystem, to turn the file handles of fanotify's FID records back
 * into paths: {@code open_by_handle_at(mountFd, handle, O_PATH)}, then {@code readlink} of {@code
 * /proc/self/fd/N}. Paths come out as seen through the mount the directory was opened on.
 *
 * <p>The directory is opened {@code O_RDONLY|O_DIRECTORY}, not {@code O_PATH}: with an {@code
 * O_PATH} mount descriptor {@code open_by_handle_at} fails with {@code EBADF} (FEASIBILITY.md 4b).
 * Resolving needs {@code CAP_DAC_READ_SEARCH}. Not thread-safe; the owner closes it.
 */
public final class FileHandleMount implements AutoCloseable {
  /** Longest path {@link #resolve} returns, in bytes (PATH_MAX without the NUL). */
  public static final int MAX_PATH = 4095;

  private static final byte[] DELETED = " (deleted)".getBytes(StandardCharsets.US_ASCII);
  private static final int STATFS_SIZE = 120;
  private static final int STATFS_FSID_OFFSET = 56;

  private final int fd;
  private final long fsid;
  // readlink may add " (deleted)"; one byte more tells a path that did not fit.
  private final byte[] link = new byte[MAX_PATH + DELETED.length + 1];
  private final byte[] procPath = new byte[32];
  private int lastErrno;
  private boolean closed;

  private FileHandleMount(int fd, long fsid) {
    this.fd = fd;
    this.fsid = fsid;
  }

  /**
   * Opens {@code dir} and reads its filesystem id ({@code statfs(2)} {@code f_fsid}).
   *
   * @throws FileNotifyException when it cannot be opened or {@code fstatfs} fails
   */
  public static FileHandleMount open(byte[] dir) throws FileNotifyException {
    FileNotifyLibc.requireSupported("open_by_handle_at");
    String shown = new String(dir, StandardCharsets.UTF_8);
    int fd =
        FileNotifyLibc.open(
            FileNotifyLibc.cString(dir),
            FileNotifyLibc.O_RDONLY | FileNotifyLibc.O_DIRECTORY | FileNotifyLibc.O_CLOEXEC);
    if (fd < 0) {
      throw FileNotifyException.of("open(" + shown + ")", Native.getLastError());
    }
    byte[] st = new byte[STATFS_SIZE];
    if (FileNotifyLibc.fstatfs(fd, st) != 0) {
      int errno = Native.getLastError();
      FileNotifyLibc.close(fd);
      throw FileNotifyException.of("fstatfs(" + shown + ")", errno);
    }
    return new FileHandleMount(fd, fsid(st));
  }

  /**
   * {@code f_fsid} of a {@code struct statfs}, both ints in native order, as fanotify's records.
   */
  static long fsid(byte[] statfs) {
    return ByteBuffer.wrap(statfs).order(ByteOrder.nativeOrder()).getLong(STATFS_FSID_OFFSET);
  }

  /** The filesystem id, comparable to {@link FanotifyInfo#fsid()}. */
  public long fsid() {
    return fsid;
  }

  /**
   * The path of the object {@code handle} names.
   *
   * @param handle a {@code struct file_handle}: {@code u32 handle_bytes, s32 handle_type,
   *     f_handle[handle_bytes]}, as in {@link FanotifyInfo#handle()}
   * @return the path bytes without a trailing {@code " (deleted)"}, or null when it cannot be
   *     resolved; {@link #lastErrno} then says why ({@code ESTALE}: gone; {@code ENAMETOOLONG}:
   *     longer than {@link #MAX_PATH})
   */
  public byte[] resolve(byte[] handle) {
    if (closed) {
      lastErrno = Errno.EBADF;
      return null;
    }
    int obj =
        FileNotifyLibc.open_by_handle_at(
            fd, handle, FileNotifyLibc.O_PATH | FileNotifyLibc.O_CLOEXEC);
    if (obj < 0) {
      lastErrno = Native.getLastError();
      return null;
    }
    try {
      long n = FileNotifyLibc.readlink(procFd(obj), link, link.length);
      if (n < 0) {
        lastErrno = Native.getLastError();
        return null;
      }
      int len = (int) n;
      if (endsWithDeleted(len)) {
        len -= DELETED.length;
      }
      if (n >= link.length || len > MAX_PATH) {
        lastErrno = Errno.ENAMETOOLONG;
        return null;
      }
      return Arrays.copyOf(link, len);
    } finally {
      FileNotifyLibc.close(obj);
    }
  }

  /** The errno of the last failed {@link #resolve}. */
  public int lastErrno() {
    return lastErrno;
  }

  /** Closes the directory; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      FileNotifyLibc.close(fd);
    }
  }

  private byte[] procFd(int n) {
    // "/proc/self/fd/<n>\0" without a String per call.
    byte[] prefix = {'/', 'p', 'r', 'o', 'c', '/', 's', 'e', 'l', 'f', '/', 'f', 'd', '/'};
    System.arraycopy(prefix, 0, procPath, 0, prefix.length);
    String digits = Integer.toString(n);
    int i = prefix.length;
    for (int k = 0; k < digits.length(); k++) {
      procPath[i++] = (byte) digits.charAt(k);
    }
    procPath[i] = 0;
    return procPath;
  }

  private boolean endsWithDeleted(int len) {
    if (len < DELETED.length) {
      return false;
    }
    return Arrays.equals(link, len - DELETED.length, len, DELETED, 0, DELETED.length);
  }
}
