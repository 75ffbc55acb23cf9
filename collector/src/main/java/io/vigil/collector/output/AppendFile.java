package io.vigil.collector.output;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Opens an output file for appending UTF-8 lines, created owner-only (0600) because what it holds
 * (command lines, hosts, alerts) is as sensitive as the database; an existing file keeps its mode.
 */
final class AppendFile {
  private AppendFile() {}

  static Writer open(Path file) {
    try {
      return new BufferedWriter(
          new OutputStreamWriter(
              Channels.newOutputStream(
                  Files.newByteChannel(
                      file,
                      Set.of(
                          StandardOpenOption.CREATE,
                          StandardOpenOption.WRITE,
                          StandardOpenOption.APPEND),
                      PosixFilePermissions.asFileAttribute(
                          PosixFilePermissions.fromString("rw-------")))),
              StandardCharsets.UTF_8),
          1 << 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open JSON lines output " + file, e);
    }
  }
}
