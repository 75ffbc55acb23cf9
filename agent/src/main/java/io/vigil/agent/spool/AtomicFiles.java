package io.vigil.agent.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Small files replaced atomically, so a crash leaves either the old or the new content. */
final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Writes to a sibling temp file and renames it over {@code file}. Not fsync'd: the page cache
   * survives a process crash, and after a power loss an older position only causes re-sends that
   * the collector deduplicates.
   */
  static void write(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
