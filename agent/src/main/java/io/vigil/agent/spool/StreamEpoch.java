package io.vigil.agent.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;

/** The random id of one spool stream, kept in a file inside the spool directory. */
final class StreamEpoch {
  static final String FILE = "stream-epoch";

  private StreamEpoch() {}

  /**
   * Reads the epoch, or makes a new one for an empty directory. A directory with queue files but no
   * epoch file is refused: continuing would restart seq at 1 over old entries.
   */
  static String loadOrCreate(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (Files.exists(file)) {
      String text = Files.readString(file, StandardCharsets.UTF_8).trim();
      try {
        return UUID.fromString(text).toString();
      } catch (IllegalArgumentException e) {
        throw new IOException("corrupt " + file + ": not a UUID", e);
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      if (files.anyMatch(p -> p.getFileName().toString().endsWith(".cq4"))) {
        throw new IOException(
            dir + " holds queue files but no " + FILE + "; move the directory aside to start anew");
      }
    }
    String epoch = UUID.randomUUID().toString();
    AtomicFiles.write(file, epoch + "\n");
    return epoch;
  }
}
