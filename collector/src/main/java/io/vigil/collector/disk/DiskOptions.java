package io.vigil.collector.disk;

import java.time.Duration;

/**
 * @param minFreeBytes {@code store.min_free_bytes}: below it, event batches are refused
 * @param resumeFreeBytes {@code store.resume_free_bytes}: refused batches are accepted again once
 *     free space is back above it (at least {@code minFreeBytes}: the gap keeps a disk near the
 *     line from flapping)
 * @param interval how often free space is measured besides before every batch
 */
public record DiskOptions(long minFreeBytes, long resumeFreeBytes, Duration interval) {
  public DiskOptions {
    if (minFreeBytes < 0 || resumeFreeBytes < minFreeBytes) {
      throw new IllegalArgumentException("need 0 <= min_free_bytes <= resume_free_bytes");
    }
  }
}
