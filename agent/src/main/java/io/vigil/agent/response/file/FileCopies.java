package io.vigil.agent.response.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Hashing and copying file content in one pass. Sources are a file in the vault or the {@code
 * /proc/self/fd/N} of a descriptor reached without following links.
 */
final class FileCopies {
  private static final int BUFFER = 1 << 20;

  private FileCopies() {}

  /** The digests of the file's content. */
  static FileDigests.Result hash(Path p) throws IOException {
    try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      return copy(in, null);
    }
  }

  /**
   * The digests of what a descriptor's file holds, read from {@code /proc/self/fd/N} (a link that
   * must be followed: it leads to the inode the descriptor holds).
   */
  static FileDigests.Result hashOpened(Path procPath) throws IOException {
    try (FileChannel in = FileChannel.open(procPath, StandardOpenOption.READ)) {
      return copy(in, null);
    }
  }

  /**
   * Copies from the position of {@code in} to its end into {@code out} (when not null), synced.
   *
   * @return the digests of what was read
   */
  static FileDigests.Result copy(FileChannel in, FileChannel out) throws IOException {
    FileDigests d = new FileDigests();
    ByteBuffer b = ByteBuffer.allocate(BUFFER);
    while (in.read(b) >= 0) {
      b.flip();
      d.update(b);
      while (out != null && b.hasRemaining()) {
        out.write(b);
      }
      b.clear();
    }
    if (out != null) {
      out.force(true);
    }
    return d.finish();
  }

  /**
   * Copies {@code from} to a new file {@code to} (mode 0600, fails if it exists), synced to disk.
   * {@code from} is followed if it is a link: callers pass {@code /proc/self/fd/N} of a descriptor
   * they checked.
   *
   * @return the digests of what was copied
   */
  static FileDigests.Result copy(Path from, Path to) throws IOException {
    try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
        FileChannel out =
            FileChannel.open(
                to,
                Set.of(
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")))) {
      return copy(in, out);
    }
  }
}
