package io.vigil.collector.cli;

import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.common.config.PathArgument;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The file of {@code --output}, where a new token is written instead of the terminal: created new
 * with mode 0600 before the token is asked for (so that a bad path costs no token), never over an
 * existing file (which could be a link elsewhere, or another token).
 */
final class SecretFile {
  private final Path file;

  private SecretFile(Path file) {
    this.file = file;
  }

  /**
   * Creates the empty file.
   *
   * @throws UsageException when it exists or cannot be created
   */
  static SecretFile create(String value) throws UsageException {
    if (value.isBlank()) {
      throw new UsageException("--output: empty path");
    }
    Path file;
    try {
      file = PathArgument.parse("--output", value);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      throw new UsageException("--output: " + file + " exists; give a new file");
    } catch (IOException e) {
      throw new UsageException("--output: cannot create " + file + ": " + e.getMessage());
    }
    return new SecretFile(file);
  }

  Path path() {
    return file;
  }

  /** Writes the token; the caller says where it went. */
  void write(String token) {
    try {
      Files.writeString(
          file, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the token to " + file + ": " + e.getMessage());
    }
  }

  /** Removes the empty file when no token came. */
  void discard() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // an empty file left behind holds nothing
    }
  }
}
