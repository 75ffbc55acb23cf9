package io.vigil.agent.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The highest acknowledged seq, kept in memory and in a small file ({@code "<epoch> <seq>"}).
 *
 * <p>The file is rewritten at most every {@link #WRITE_INTERVAL_NANOS} by {@link #advance} and on
 * every {@link #flush}: a slightly stale position after a crash only re-sends events the collector
 * already has, which it drops by seq. Thread-safe; {@link #advance} never blocks longer than one
 * small file write.
 */
final class CommitPosition {
  static final String FILE = "committed";
  static final long WRITE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final Path file;
  private final String epoch;
  private final AtomicLong committed = new AtomicLong();
  private long written; // guarded by this
  private long lastWriteNanos; // guarded by this

  private CommitPosition(Path file, String epoch, long initial) {
    this.file = file;
    this.epoch = epoch;
    this.committed.set(initial);
    this.written = initial;
    this.lastWriteNanos = System.nanoTime() - WRITE_INTERVAL_NANOS;
  }

  /** Loads the position of {@code epoch}; a file of another epoch or none at all means 0. */
  static CommitPosition load(Path dir, String epoch) throws IOException {
    Path file = dir.resolve(FILE);
    long seq = 0;
    if (Files.exists(file)) {
      String[] parts = Files.readString(file, StandardCharsets.UTF_8).trim().split(" ");
      if (parts.length == 2 && parts[0].equals(epoch)) {
        try {
          seq = Math.max(0, Long.parseLong(parts[1]));
        } catch (NumberFormatException e) {
          throw new IOException("corrupt " + file, e);
        }
      }
    }
    return new CommitPosition(file, epoch, seq);
  }

  long get() {
    return committed.get();
  }

  /** Raises the position to {@code seq} (never lowers it) and writes it out if due. */
  void advance(long seq) {
    long prev = committed.getAndAccumulate(seq, Math::max);
    if (seq > prev) {
      writeIf(false);
    }
  }

  /** Writes the current position now if it changed since the last write. */
  void flush() {
    writeIf(true);
  }

  private synchronized void writeIf(boolean force) {
    long now = System.nanoTime();
    long seq = committed.get();
    if (seq == written || (!force && now - lastWriteNanos < WRITE_INTERVAL_NANOS)) {
      return;
    }
    try {
      AtomicFiles.write(file, epoch + " " + seq + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record committed spool position in " + file, e);
    }
    written = seq;
    lastWriteNanos = now;
  }
}
