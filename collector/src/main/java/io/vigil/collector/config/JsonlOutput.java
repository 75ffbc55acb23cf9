package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import java.nio.file.Path;

/**
 * The JSON-lines event output (the {@code output.jsonl} section). Immutable.
 *
 * @param enabled {@code output.jsonl.enabled}: whether stored events are also appended there
 * @param path {@code output.jsonl.path}: the file; default {@code
 *     <collector.state_dir>/events.jsonl}
 */
public record JsonlOutput(boolean enabled, Path path) {

  static JsonlOutput bind(ConfigNode node, Path stateDir) {
    boolean enabled = node.bool("enabled", false);
    Path path = node.optionalPath("path").orElse(stateDir.resolve("events.jsonl"));
    return new JsonlOutput(enabled, path);
  }
}
