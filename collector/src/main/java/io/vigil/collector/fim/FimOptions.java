package io.vigil.collector.fim;

/**
 * Bounds of the integrity mirror: what one agent may make the collector store. Immutable.
 *
 * @param maxEntriesPerAgent paths one agent's mirror (and, separately, its staged baseline) may
 *     hold; a baseline past it is refused and a change that would add a path past it ignored, each
 *     with an alert
 * @param maxPathBytes longest path accepted, in UTF-8 bytes (Linux's PATH_MAX is 4096)
 * @param maxStateBytes largest serialized file state accepted
 * @param listedPaths how many differing paths an alert names (the count covers all)
 */
public record FimOptions(
    long maxEntriesPerAgent, int maxPathBytes, int maxStateBytes, int listedPaths) {
  public FimOptions {
    if (maxEntriesPerAgent < 1 || maxPathBytes < 1 || maxStateBytes < 1 || listedPaths < 1) {
      throw new IllegalArgumentException("integrity mirror bounds must be positive");
    }
  }

  /** 1,000,000 paths per agent, 4096-byte paths, 8 KiB states, 20 paths listed per alert. */
  public static FimOptions defaults() {
    return new FimOptions(1_000_000, 4096, 8192, 20);
  }

  public FimOptions withMaxEntriesPerAgent(long n) {
    return new FimOptions(n, maxPathBytes, maxStateBytes, listedPaths);
  }
}
