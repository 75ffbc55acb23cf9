package io.vigil.agent.sensor.fim;

import io.vigil.agent.platform.linux.PathHandles;
import io.vigil.proto.v1.FileState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@link FileState} of one path, as integrity monitoring records it: {@code lstat} (links are
 * not followed; times to the nanosecond, which this JDK reads exactly on Linux), the SHA-256 of a
 * regular file's first {@code maxFileBytes} bytes, a link's target. Directories are recorded
 * unhashed; FIFOs, sockets and devices are recorded and never opened ({@code hash_skipped =
 * "not_regular"}); a file that cannot be read is recorded with {@code hash_skipped = "unreadable"}.
 * The same file gives the same state every time: {@code FimCompare} relies on it.
 *
 * <p>With {@link PathHandles} the path is pinned by an {@code O_PATH} handle first; attributes are
 * read from the handle and only a regular file is then opened, through the handle, so a FIFO
 * swapped in at the path cannot block the scan. Without them (not 64-bit Linux) the JDK's calls are
 * used: the type is checked by {@code lstat} before the open, which leaves a short window for such
 * a swap.
 *
 * <p>A file that changes while it is read is read again (up to three times); the state then pairs
 * the hash with the attributes seen after the last read.
 *
 * <p>Not thread-safe (one reader per scan thread): it reuses its buffer and digest.
 */
final class FileStateReader {
  /** The state of a path where nothing exists. */
  static final FileState ABSENT = FileState.newBuilder().setExists(false).build();

  /**
   * What reading one path gave.
   *
   * @param state the state; empty when the path could not be examined at all (permissions on a
   *     directory, I/O error): the caller keeps what it knew and counts an error
   * @param bytesHashed content bytes read
   */
  record Read(Optional<FileState> state, long bytesHashed) {
    static Read of(FileState s, long bytes) {
      return new Read(Optional.of(s), bytes);
    }

    static final Read FAILED = new Read(Optional.empty(), 0);
  }

  /** One {@code lstat}; named attributes only, because {@code unix:*} looks up user names. */
  private static final String ATTRS = "unix:mode,uid,gid,size,ino,dev,ctime,lastModifiedTime";

  private static final int S_IFMT = 0170000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFLNK = 0120000;
  private static final int READ_ATTEMPTS = 3;
  private static final int CHUNK = 128 * 1024;

  private final long maxFileBytes;
  private final HashThrottle throttle;
  private final PathHandles handles;
  private final MessageDigest sha = sha256();
  private final ByteBuffer buf = ByteBuffer.allocate(CHUNK);

  /**
   * @param maxFileBytes a regular file is hashed over at most its first this many bytes
   * @param throttle paces the content reads (and cancels them)
   * @param handles {@code O_PATH} handles, or null to use the JDK's calls only
   */
  FileStateReader(long maxFileBytes, HashThrottle throttle, PathHandles handles) {
    this.maxFileBytes = maxFileBytes;
    this.throttle = throttle;
    this.handles = handles;
  }

  /** True when {@code mode} is a directory's. */
  static boolean isDirectory(int mode) {
    return (mode & S_IFMT) == S_IFDIR;
  }

  /**
   * Reads the state of {@code path}. Blocks on the filesystem and on the throttle.
   *
   * @throws ScanCancelled when the throttle's stop condition turned true
   */
  Read read(Path path) {
    if (handles == null) {
      return readPlain(path);
    }
    int fd = handles.open(path.toString());
    if (fd >= 0) {
      try {
        return readHandle(fd, path);
      } finally {
        handles.close(fd);
      }
    }
    int errno = -fd;
    if (errno == PathHandles.ENOENT && Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      // A name that does not survive the trip through a String (not valid in the name encoding):
      // the JDK still holds the bytes it listed.
      return readPlain(path);
    }
    if (errno == PathHandles.ENOENT || errno == PathHandles.ENOTDIR || errno == PathHandles.ELOOP) {
      return Read.of(ABSENT, 0);
    }
    return Read.FAILED;
  }

  private Read readHandle(int fd, Path path) {
    Path handle = Path.of("/proc/self/fd/" + fd);
    Read last = Read.FAILED;
    for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      Map<String, Object> before;
      try {
        before = Files.readAttributes(handle, ATTRS); // follows /proc's link: the pinned inode
      } catch (IOException | RuntimeException e) {
        return Read.FAILED;
      }
      FileState.Builder b = stat(before);
      int type = b.getMode() & S_IFMT;
      if (type == S_IFLNK) {
        String target = handles.linkTarget(fd);
        return Read.of(b.setLinkTarget(target == null ? "" : target).build(), 0);
      }
      if (type != S_IFREG) {
        return Read.of(notRegular(b, type), 0);
      }
      long hashed = hash(handle, b, new OpenOption[] {StandardOpenOption.READ});
      Map<String, Object> after;
      try {
        after = Files.readAttributes(handle, ATTRS);
      } catch (IOException | RuntimeException e) {
        return Read.FAILED;
      }
      last = Read.of(withStat(b, after).build(), hashed);
      if (sameVersion(before, after)) {
        break;
      }
    }
    return last;
  }

  private Read readPlain(Path path) {
    Read last = Read.FAILED;
    for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      Map<String, Object> before;
      try {
        before = Files.readAttributes(path, ATTRS, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException | NotDirectoryException e) {
        return Read.of(ABSENT, 0);
      } catch (IOException | RuntimeException e) {
        // ENOTDIR comes as a bare FileSystemException: a path beneath a file is not there.
        Path parent = path.getParent();
        return parent != null && !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)
            ? Read.of(ABSENT, 0)
            : Read.FAILED;
      }
      FileState.Builder b = stat(before);
      int type = b.getMode() & S_IFMT;
      if (type == S_IFLNK) {
        try {
          b.setLinkTarget(Files.readSymbolicLink(path).toString());
        } catch (IOException | RuntimeException e) {
          // replaced meanwhile; the target stays empty, the next check sees the new file
        }
        return Read.of(b.build(), 0);
      }
      if (type != S_IFREG) {
        return Read.of(notRegular(b, type), 0);
      }
      long hashed =
          hash(path, b, new OpenOption[] {StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS});
      Map<String, Object> after;
      try {
        after = Files.readAttributes(path, ATTRS, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException | RuntimeException e) {
        return Read.of(ABSENT, 0);
      }
      last = Read.of(withStat(b, after).build(), hashed);
      if (sameVersion(before, after)) {
        break;
      }
    }
    return last;
  }

  private static FileState notRegular(FileState.Builder b, int type) {
    return type == S_IFDIR ? b.build() : b.setHashSkipped("not_regular").build();
  }

  /** Hashes into {@code b} (or marks it unreadable); returns the bytes read. */
  private long hash(Path file, FileState.Builder b, OpenOption[] options) {
    sha.reset();
    long total = 0;
    try (FileChannel in = FileChannel.open(file, options)) {
      while (total < maxFileBytes) {
        buf.clear();
        buf.limit((int) Math.min(CHUNK, maxFileBytes - total));
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        throttle.acquire(n);
        sha.update(buf.array(), 0, n);
        total += n;
      }
    } catch (IOException e) {
      b.setSha256("").setHashedBytes(0).setHashSkipped("unreadable");
      return total;
    }
    b.setSha256(HexFormat.of().formatHex(sha.digest())).setHashedBytes(total).clearHashSkipped();
    return total;
  }

  private static FileState.Builder stat(Map<String, Object> a) {
    return withStat(FileState.newBuilder().setExists(true), a);
  }

  private static FileState.Builder withStat(FileState.Builder b, Map<String, Object> a) {
    return b.setMode((Integer) a.get("mode"))
        .setUid((Integer) a.get("uid"))
        .setGid((Integer) a.get("gid"))
        .setSize((Long) a.get("size"))
        .setInode((Long) a.get("ino"))
        .setDevice((Long) a.get("dev"))
        .setMtimeNs(nanos(a.get("lastModifiedTime")))
        .setCtimeNs(nanos(a.get("ctime")));
  }

  private static boolean sameVersion(Map<String, Object> a, Map<String, Object> b) {
    return a.get("ino").equals(b.get("ino"))
        && a.get("size").equals(b.get("size"))
        && nanos(a.get("lastModifiedTime")) == nanos(b.get("lastModifiedTime"))
        && nanos(a.get("ctime")) == nanos(b.get("ctime"));
  }

  private static long nanos(Object fileTime) {
    return ((FileTime) fileTime).to(TimeUnit.NANOSECONDS);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
