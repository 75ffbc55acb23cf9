package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import java.nio.file.Path;

/**
 * The embedded event store (the {@code store} section). Immutable.
 *
 * @param path {@code store.path}: the SQLite database file; default {@code
 *     <collector.state_dir>/vigil.db}
 * @param maxEventBytes {@code store.max_event_bytes}: larger events go to the dead-letter table
 */
public record StoreSection(Path path, int maxEventBytes) {

  static StoreSection bind(ConfigNode node, Path stateDir) {
    Path path = node.optionalPath("path").orElse(stateDir.resolve("vigil.db"));
    int maxEventBytes = (int) node.bytes("max_event_bytes", "1MiB", 1024, 64L << 20);
    return new StoreSection(path, maxEventBytes);
  }
}
