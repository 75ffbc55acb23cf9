package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import java.nio.file.Path;

/**
 * The embedded event store (the {@code store} section). Immutable.
 *
 * @param path {@code store.path}: the SQLite database file; default {@code
 *     <collector.state_dir>/vigil.db}
 * @param maxEventBytes {@code store.max_event_bytes}: larger events go to the dead-letter table
 * @param minFreeBytes {@code store.min_free_bytes}: below this much usable space on the database's
 *     filesystem, event batches are refused (agents keep spooling); default 512MiB, 0 turns the
 *     guard off
 * @param resumeFreeBytes {@code store.resume_free_bytes}: batches are accepted again at this much;
 *     default twice {@code min_free_bytes}, at least {@code min_free_bytes}
 */
public record StoreSection(Path path, int maxEventBytes, long minFreeBytes, long resumeFreeBytes) {

  static StoreSection bind(ConfigNode node, Path stateDir) {
    Path path = node.optionalPath("path").orElse(stateDir.resolve("vigil.db"));
    int maxEventBytes = (int) node.bytes("max_event_bytes", "1MiB", 1024, 64L << 20);
    long max = 1L << 50;
    long minFree = node.bytes("min_free_bytes", "512MiB", 0, max);
    long resumeFree = node.bytes("resume_free_bytes", Long.toString(2 * minFree), 0, max);
    if (resumeFree < minFree) {
      node.error("resume_free_bytes", "must be at least store.min_free_bytes");
    }
    return new StoreSection(path, maxEventBytes, minFree, Math.max(minFree, resumeFree));
  }
}
