package io.vigil.agent.sensor.file;

import io.vigil.agent.sensor.process.procfs.ExecutableHashes;
import java.nio.file.Path;
import java.util.Optional;

/** Computes MD5, SHA-1 and SHA-256 of one file in one read. Implementations are thread-safe. */
interface ContentHasher {

  /**
   * What hashing one file gave.
   *
   * @param hashes the digests, when computed
   * @param skipped why not ({@code FileEvent.hash_skipped}: "too_large", "unreadable", "gone",
   *     "not_regular", "busy"); {@code ""} when hashed
   */
  record Outcome(Optional<ExecutableHashes.Hashes> hashes, String skipped) {
    static Outcome of(ExecutableHashes.Hashes h) {
      return new Outcome(Optional.of(h), "");
    }

    static Outcome skipped(String why) {
      return new Outcome(Optional.empty(), why);
    }
  }

  /** Hashes {@code file}; blocks while reading it. Never throws for I/O problems. */
  Outcome hash(Path file);

  /**
   * The real hasher: {@link ExecutableHashes}, which opens regular files only (never a FIFO or a
   * device) and caches by file version. Files above {@code maxBytes} are not read.
   */
  static ContentHasher digests(long maxBytes) {
    ExecutableHashes hashes =
        new ExecutableHashes(maxBytes, ExecutableHashes.DEFAULT_CACHE_ENTRIES);
    return file -> {
      Optional<ExecutableHashes.Examined> examined = hashes.examine(file);
      if (examined.isEmpty()) {
        return Outcome.skipped("gone");
      }
      if (examined.get().hashes().isPresent()) {
        return Outcome.of(examined.get().hashes().get());
      }
      // ExecutableHashes does not say why; one more stat does.
      Optional<FileStat> st = FileStat.lstat(file.toString());
      if (st.isEmpty()) {
        return Outcome.skipped("gone");
      }
      if (!st.get().regular()) {
        return Outcome.skipped("not_regular");
      }
      return Outcome.skipped(st.get().size() > maxBytes ? "too_large" : "unreadable");
    };
  }
}
