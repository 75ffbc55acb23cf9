package io.vigil.agent.response.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Hashing and copying file content in one pass, never following a final symbolic link. */
final class FileCopies {
  private static final int BUFFER = 1 << 20;

  private FileCopies() {}

  /** The digests of the file's content. */
  static FileDigests.Result hash(Path p) throws IOException {
    FileDigests d = new FileDigests();
    ByteBuffer b = ByteBuffer.allocate(BUFFER);
    try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      while (in.read(b) >= 0) {
        b.flip();
        d.update(b);
        b.clear();
      }
    }
    return d.finish();
  }

  /**
   * Copies {@code from} to a new file {@code to} (mode 0600, fails if it exists), synced to disk.
   *
   * @return the digests of what was copied
   */
  static FileDigests.Result copy(Path from, Path to) throws IOException {
    FileDigests d = new FileDigests();
    ByteBuffer b = ByteBuffer.allocate(BUFFER);
    try (FileChannel in =
            FileChannel.open(from, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        FileChannel out =
            FileChannel.open(
                to,
                Set.of(
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")))) {
      while (in.read(b) >= 0) {
        b.flip();
        d.update(b);
        while (b.hasRemaining()) {
          out.write(b);
        }
        b.clear();
      }
      out.force(true);
    }
    return d.finish();
  }
}
