package io.vigil.agent.response;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The command-result lane's sequence, kept in a file so it keeps rising across restarts. Commands
 * are operator actions (a handful a day), so one small atomic file write per result is cheap.
 * Thread-safe.
 */
public final class ResultSequence {
  private final Path file;
  private long last;

  public ResultSequence(Path file) throws IOException {
    this.file = file;
    this.last = Files.exists(file) ? parse(Files.readString(file, StandardCharsets.US_ASCII)) : 0;
  }

  private long parse(String text) throws IOException {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IOException(file + " does not hold a result sequence number: " + e.getMessage());
    }
  }

  /** The next number, persisted before it is returned. */
  public synchronized long next() {
    long n = last + 1;
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, Long.toString(n), StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot persist command result sequence in " + file, e);
    }
    last = n;
    return n;
  }
}
