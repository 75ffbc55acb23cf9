package io.vigil.collector.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Appends each alert's JSON object as one line to a file and forces it to disk before returning, so
 * a delivered alert survives a crash. The file is created owner-only (0600): alerts are as
 * sensitive as the database.
 *
 * <p>Before each send the path is looked up again: when it no longer names the open file (renamed
 * or deleted by log rotation) the file at the path is opened, or created, so alerts never go to a
 * rotated file. A failed write closes the file; the next call opens it again. A file that does not
 * end with a line break (a write cut short by a full disk, or another writer) gets one first, so a
 * partial line is never glued onto the next alert. Not thread-safe.
 */
final class JsonlSender implements AlertSender {
  private final Path path;
  private FileChannel channel;

  /** The open file's identity (device and inode), as {@link BasicFileAttributes#fileKey}. */
  private Object openKey;

  JsonlSender(Path path) {
    this.path = path;
  }

  @Override
  public void send(List<SinkAlert> alerts) throws IOException {
    StringBuilder text = new StringBuilder(alerts.size() * 600 + 1);
    for (SinkAlert a : alerts) {
      text.append(a.json()).append('\n');
    }
    try {
      if (channel != null && !Objects.equals(openKey, keyAtPath())) {
        close(); // rotated: the path names another file now, or none
      }
      if (channel == null) {
        channel = open();
        if (!endsWithLineBreak()) {
          text.insert(0, '\n');
        }
      }
      ByteBuffer bytes = StandardCharsets.UTF_8.encode(text.toString());
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(false);
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  private FileChannel open() throws IOException {
    FileChannel c =
        FileChannel.open(
            path,
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      // Read after opening: should the path change in between, the next send sees a different
      // key and opens again, so nothing is lost to the race.
      openKey = keyAtPath();
      return c;
    } catch (IOException e) {
      c.close();
      throw e;
    }
  }

  /** The key of the file the path names now; null when there is none. */
  private Object keyAtPath() throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Whether the open file is empty or its last byte is a line break. */
  private boolean endsWithLineBreak() throws IOException {
    long size = channel.size();
    if (size == 0) {
      return true;
    }
    // The append channel cannot read (READ and APPEND do not go together): a second one does.
    try (FileChannel reader = FileChannel.open(path, StandardOpenOption.READ)) {
      ByteBuffer last = ByteBuffer.allocate(1);
      return reader.read(last, size - 1) == 1 && last.get(0) == '\n';
    }
  }

  @Override
  public String describe() {
    return "jsonl " + path;
  }

  @Override
  public void close() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Nothing buffered: every successful send forced its bytes.
      }
      channel = null;
      openKey = null;
    }
  }
}
