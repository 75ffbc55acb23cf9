package io.vigil.collector.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * Appends each alert's JSON object as one line to a file and forces it to disk before returning, so
 * a delivered alert survives a crash. The file is created owner-only (0600): alerts are as
 * sensitive as the database. After a failed write the file is reopened on the next call (it may
 * have been rotated away); a retried batch may leave a partial line followed by the whole batch.
 * Not thread-safe.
 */
final class JsonlSender implements AlertSender {
  private final Path path;
  private FileChannel channel;

  JsonlSender(Path path) {
    this.path = path;
  }

  @Override
  public void send(List<SinkAlert> alerts) throws IOException {
    StringBuilder text = new StringBuilder(alerts.size() * 600);
    for (SinkAlert a : alerts) {
      text.append(a.json()).append('\n');
    }
    ByteBuffer bytes = StandardCharsets.UTF_8.encode(text.toString());
    try {
      if (channel == null) {
        channel = open();
      }
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
    return FileChannel.open(
        path,
        Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
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
    }
  }
}
