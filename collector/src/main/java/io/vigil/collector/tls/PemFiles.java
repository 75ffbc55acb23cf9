package io.vigil.collector.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes PEM files (keys and certificates) atomically with their final mode. Stateless. */
public final class PemFiles {
  private PemFiles() {}

  /**
   * Writes {@code text} to {@code file} through a temporary file in the same directory (made if
   * missing) and an atomic rename, so a reader sees the old file or the new one, never a part.
   *
   * @param secret true for a private key: mode 0600 from creation on, so it is never readable by
   *     others, not even briefly; false: 0644
   */
  public static void write(Path file, String text, boolean secret) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp =
        Files.createTempFile(
            dir,
            ".tmp-",
            ".pem",
            PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
    try {
      Files.write(tmp, text.getBytes(StandardCharsets.US_ASCII));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
