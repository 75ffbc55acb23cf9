package io.vigil.agent.pki;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files replaced whole or not at all: written to a temporary file in the same directory with its
 * final mode (a key is never readable by others, not even briefly), synced, then renamed over the
 * old one. A key and its certificate are replaced as a pair by {@link CredentialFiles}. Stateless;
 * blocks on file I/O.
 */
public final class AtomicFiles {
  /** Mode of private keys and of the files that name the agent. */
  public static final String SECRET = "rw-------";

  /** Mode of certificates and addresses. */
  public static final String PUBLIC = "rw-r--r--";

  private AtomicFiles() {}

  /** Creates {@code dir} with mode 0700 when missing (an existing one keeps its mode). */
  public static void ensureDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  /** Replaces {@code file} with {@code text} (US-ASCII) atomically, with {@code mode}. */
  public static void write(Path file, String text, String mode) throws IOException {
    Path tmp = temp(file, text, mode);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static Path temp(Path file, String text, String mode) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    ensureDirectory(dir);
    Path tmp =
        Files.createTempFile(
            dir,
            "." + file.getFileName() + ".",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return tmp;
  }

  /** Makes a rename in the directory of {@code file} durable. */
  static void syncDirectory(Path file) throws IOException {
    try (FileChannel d =
        FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
