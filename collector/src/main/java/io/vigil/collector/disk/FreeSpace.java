package io.vigil.collector.disk;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where free space is measured: the real filesystem, or a test's own numbers. */
@FunctionalInterface
public interface FreeSpace {
  /** Bytes an unprivileged writer could still use there now; a quick call (statvfs). */
  long usableBytes() throws IOException;

  /**
   * The filesystem holding {@code dir}. {@link FileStore#getUsableSpace} asks the kernel again on
   * every call (statvfs), so a mount made later over {@code dir} is not seen, but space is.
   */
  static FreeSpace of(Path dir) throws IOException {
    FileStore store = Files.getFileStore(dir);
    return store::getUsableSpace;
  }
}
