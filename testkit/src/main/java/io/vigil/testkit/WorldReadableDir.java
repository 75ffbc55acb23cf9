package io.vigil.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A temporary directory under /tmp that other users can traverse (JUnit's {@code @TempDir} is
 * 0700), for tests that run a process as another user. The caller deletes it.
 */
public final class WorldReadableDir {
  private WorldReadableDir() {}

  /** Creates {@code /tmp/<prefix>XXXX} with mode 0755. */
  public static Path create(String prefix) throws IOException {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), prefix);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return dir;
  }

  /** Deletes {@code dir} and everything under it; a missing directory is fine. */
  public static void delete(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
