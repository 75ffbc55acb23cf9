package io.vigil.agent.platform.linux;

import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An {@code O_PATH} descriptor on a directory reached from {@code /} one component at a time with
 * {@code openat(O_NOFOLLOW|O_DIRECTORY)}, so that no symbolic link was followed anywhere on the
 * way. Once held, the handle stays on that directory even if a directory above it is renamed or
 * replaced by a link: every call here acts relative to it (no path is looked up again), which is
 * what closes the gap between checking a path and acting on it. Not thread-safe; close it.
 */
public final class DirectoryHandle implements AutoCloseable {
  private static final int PATH_MAX = 4096;

  private final int fd;
  private final Path path;
  private boolean closed;

  private DirectoryHandle(int fd, Path path) {
    this.fd = fd;
    this.path = path;
  }

  /**
   * Walks to the directory {@code dir} without following any symbolic link.
   *
   * @param dir an absolute path without {@code .} or {@code ..} components
   * @throws SymbolicLinkOnPathException when a component is a symbolic link (naming the first)
   * @throws NoSuchFileException when a component does not exist
   * @throws NotDirectoryException when a component is not a directory
   * @throws FileMetadataException for any other failure
   */
  public static DirectoryHandle walk(Path dir) throws IOException {
    FileMetadataLibc.requireSupported("openat");
    if (!dir.isAbsolute()) {
      throw new IllegalArgumentException("dir must be absolute: " + dir);
    }
    int flags =
        FileMetadataLibc.O_PATH
            | FileMetadataLibc.O_NOFOLLOW
            | FileMetadataLibc.O_DIRECTORY
            | FileMetadataLibc.O_CLOEXEC;
    int fd = FileMetadataLibc.openat(FileMetadataLibc.AT_FDCWD, FileHandle.cString("/"), flags, 0);
    if (fd < 0) {
      throw FileMetadataException.of("openat", "/", Native.getLastError());
    }
    Path walked = dir.getRoot();
    for (Path component : dir) {
      String name = component.toString();
      if (name.equals(".") || name.equals("..")) {
        FileMetadataLibc.close(fd);
        throw new IllegalArgumentException("dir must not have . or .. components: " + dir);
      }
      walked = walked.resolve(name);
      int next = FileMetadataLibc.openat(fd, FileHandle.cString(name), flags, 0);
      if (next < 0) {
        int errno = Native.getLastError();
        try (DirectoryHandle parent = new DirectoryHandle(fd, walked.getParent())) {
          if (errno == Errno.ENOTDIR || errno == Errno.ELOOP) {
            Optional<FileStatus> s = parent.statusOf(name);
            if (s.isPresent() && s.get().isSymbolicLink()) {
              throw new SymbolicLinkOnPathException(walked, parent.linkTarget(name));
            }
            throw new NotDirectoryException(walked.toString());
          }
          if (errno == Errno.ENOENT) {
            throw new NoSuchFileException(walked.toString());
          }
          throw FileMetadataException.of("openat", walked.toString(), errno);
        }
      }
      FileMetadataLibc.close(fd);
      fd = next;
    }
    return new DirectoryHandle(fd, dir);
  }

  /** The path this handle was walked along. */
  public Path path() {
    return path;
  }

  /**
   * Where the directory is now, as the kernel names it ({@code readlink /proc/self/fd/N}): the
   * place the checks must be made against, since it is where an action here will land.
   */
  public Path realPath() throws FileMetadataException {
    byte[] buf = new byte[PATH_MAX];
    long n =
        FileMetadataLibc.readlinkat(
            FileMetadataLibc.AT_FDCWD, FileHandle.cString("/proc/self/fd/" + fd), buf, buf.length);
    if (n < 0) {
      throw FileMetadataException.of("readlink", "/proc/self/fd/" + fd, Native.getLastError());
    }
    String p = new String(buf, 0, (int) n, StandardCharsets.UTF_8);
    if (!p.startsWith("/") || p.endsWith(" (deleted)")) {
      throw new FileMetadataException(path + " was removed (now " + p + ")", Errno.ENOENT);
    }
    return Path.of(p);
  }

  /** The directory's own status. */
  public FileStatus status() throws FileMetadataException {
    return stat(new byte[] {0}, FileMetadataLibc.AT_EMPTY_PATH, path.toString());
  }

  /**
   * The status of the entry {@code name} in this directory, not following a link ({@code
   * fstatat(AT_SYMLINK_NOFOLLOW)}); empty when there is none.
   */
  public Optional<FileStatus> statusOf(String name) throws FileMetadataException {
    byte[] buf = new byte[FileStatus.STRUCT_SIZE];
    if (FileMetadataLibc.statx(
            fd, entry(name), FileMetadataLibc.AT_SYMLINK_NOFOLLOW, FileStatus.MASK, buf)
        != 0) {
      int errno = Native.getLastError();
      if (errno == Errno.ENOENT) {
        return Optional.empty();
      }
      throw FileMetadataException.of("statx", shown(name), errno);
    }
    return Optional.of(FileStatus.decode(buf));
  }

  /** What the symbolic link {@code name} holds, or null when it cannot be read. */
  public String linkTarget(String name) {
    byte[] buf = new byte[PATH_MAX];
    long n = FileMetadataLibc.readlinkat(fd, entry(name), buf, buf.length);
    return n < 0 ? null : new String(buf, 0, (int) n, StandardCharsets.UTF_8);
  }

  /**
   * Opens the regular file {@code name} for reading: an {@code O_PATH|O_NOFOLLOW} handle first,
   * whose type is checked, then that very inode is opened through {@code /proc/self/fd/N}; a
   * symbolic link, FIFO or device put at the name is never opened (a FIFO would block, a device
   * could act).
   *
   * @throws FileMetadataException {@code ENOENT} when there is no such entry, {@code EINVAL} when
   *     it is not a regular file
   */
  public FileHandle openRead(String name) throws FileMetadataException {
    int p =
        FileMetadataLibc.openat(
            fd,
            entry(name),
            FileMetadataLibc.O_PATH | FileMetadataLibc.O_NOFOLLOW | FileMetadataLibc.O_CLOEXEC,
            0);
    if (p < 0) {
      throw FileMetadataException.of("openat", shown(name), Native.getLastError());
    }
    try (FileHandle handle = new FileHandle(p, shown(name))) {
      if (!handle.status().isRegularFile()) {
        throw new FileMetadataException(shown(name) + " is not a regular file", Errno.EINVAL);
      }
      int f =
          FileMetadataLibc.openat(
              FileMetadataLibc.AT_FDCWD,
              FileHandle.cString(handle.procPath().toString()),
              FileMetadataLibc.O_RDONLY | FileMetadataLibc.O_CLOEXEC,
              0);
      if (f < 0) {
        throw FileMetadataException.of("open", shown(name), Native.getLastError());
      }
      return new FileHandle(f, shown(name));
    }
  }

  /**
   * An unnamed regular file in this directory ({@code O_TMPFILE}, mode {@code 0600}): no one can
   * reach it until {@link #link} gives it a name.
   */
  public FileHandle createUnnamed() throws FileMetadataException {
    int f =
        FileMetadataLibc.openat(
            fd,
            FileHandle.cString("."),
            FileMetadataLibc.O_TMPFILE | FileMetadataLibc.O_RDWR | FileMetadataLibc.O_CLOEXEC,
            0600);
    if (f < 0) {
      throw FileMetadataException.of("openat(O_TMPFILE)", path.toString(), Native.getLastError());
    }
    return new FileHandle(f, path + " (unnamed)");
  }

  /**
   * Gives {@code file} the name {@code name} here ({@code linkat}), never replacing anything.
   *
   * @return false when something exists at {@code name}
   */
  public boolean link(FileHandle file, String name) throws FileMetadataException {
    int rc =
        FileMetadataLibc.linkat(
            FileMetadataLibc.AT_FDCWD,
            FileHandle.cString(file.procPath().toString()),
            fd,
            entry(name),
            FileMetadataLibc.AT_SYMLINK_FOLLOW);
    if (rc == 0) {
      return true;
    }
    int errno = Native.getLastError();
    if (errno == Errno.EEXIST) {
      return false;
    }
    throw FileMetadataException.of("linkat", shown(name), errno);
  }

  /**
   * Renames the entry {@code name} here to {@code toName} in {@code to} unless something exists
   * there ({@code renameat2(RENAME_NOREPLACE)}).
   */
  public FileMetadata.RenameOutcome renameNoReplace(String name, DirectoryHandle to, String toName)
      throws FileMetadataException {
    int rc =
        FileMetadataLibc.renameat2(
            fd, entry(name), to.fd, entry(toName), FileMetadataLibc.RENAME_NOREPLACE);
    if (rc == 0) {
      return FileMetadata.RenameOutcome.RENAMED;
    }
    int errno = Native.getLastError();
    if (errno == Errno.EEXIST) {
      return FileMetadata.RenameOutcome.TARGET_EXISTS;
    }
    if (errno == Errno.EXDEV) {
      return FileMetadata.RenameOutcome.CROSS_DEVICE;
    }
    throw FileMetadataException.of(
        "renameat2", shown(name) + " -> " + to.path.resolve(toName), errno);
  }

  /** Removes the entry {@code name} (not a directory). */
  public void unlink(String name) throws FileMetadataException {
    if (FileMetadataLibc.unlinkat(fd, entry(name), 0) != 0) {
      throw FileMetadataException.of("unlinkat", shown(name), Native.getLastError());
    }
  }

  /** {@code fsync} of the directory, so that a rename or link in it survives a crash. */
  public void sync() throws FileMetadataException {
    int d =
        FileMetadataLibc.openat(
            fd,
            FileHandle.cString("."),
            FileMetadataLibc.O_RDONLY | FileMetadataLibc.O_DIRECTORY | FileMetadataLibc.O_CLOEXEC,
            0);
    if (d < 0) {
      throw FileMetadataException.of("openat", path.toString(), Native.getLastError());
    }
    try {
      if (FileMetadataLibc.fsync(d) != 0) {
        throw FileMetadataException.of("fsync", path.toString(), Native.getLastError());
      }
    } finally {
      FileMetadataLibc.close(d);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      FileMetadataLibc.close(fd);
    }
  }

  private FileStatus stat(byte[] name, int flags, String shown) throws FileMetadataException {
    byte[] buf = new byte[FileStatus.STRUCT_SIZE];
    if (FileMetadataLibc.statx(fd, name, flags, FileStatus.MASK, buf) != 0) {
      throw FileMetadataException.of("statx", shown, Native.getLastError());
    }
    return FileStatus.decode(buf);
  }

  /** A single path component: a name with a slash would walk on without the checks above. */
  private static byte[] entry(String name) {
    if (name.isEmpty()
        || name.equals(".")
        || name.equals("..")
        || name.indexOf('/') >= 0
        || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("name must be one path component: " + name);
    }
    return FileHandle.cString(name);
  }

  private String shown(String name) {
    return path.resolve(name).toString();
  }
}
