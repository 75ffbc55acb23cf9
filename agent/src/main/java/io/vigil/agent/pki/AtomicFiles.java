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
 * old one. Stateless; blocks on file I/O.
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

  /**
   * Replaces a key and its certificate: both are written to temporary files first, then the key is
   * renamed, then the certificate. A crash between the two renames leaves a new key with the old
   * certificate, which {@link ClientCertificate#load} names as a mismatch instead of presenting.
   */
  public static void writeKeyAndCertificate(
      Path keyFile, String keyPem, Path certFile, String certPem) throws IOException {
    Path keyTmp = temp(keyFile, keyPem, SECRET);
    Path certTmp = null;
    try {
      certTmp = temp(certFile, certPem, PUBLIC);
      Files.move(
          keyTmp, keyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.move(
          certTmp, certFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(keyFile);
      syncDirectory(certFile);
    } finally {
      Files.deleteIfExists(keyTmp);
      if (certTmp != null) {
        Files.deleteIfExists(certTmp);
      }
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

  private static void syncDirectory(Path file) throws IOException {
    try (FileChannel d =
        FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
