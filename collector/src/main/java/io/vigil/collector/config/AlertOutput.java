package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import java.nio.file.Path;

/**
 * The JSON-lines alert output (the {@code output.alerts_jsonl} section): one JSON object per alert
 * raised, appended as it commits. Immutable.
 *
 * @param enabled {@code output.alerts_jsonl.enabled}
 * @param path {@code output.alerts_jsonl.path}: default {@code <collector.state_dir>/alerts.jsonl}
 */
public record AlertOutput(boolean enabled, Path path) {

  static AlertOutput bind(ConfigNode node, Path stateDir) {
    boolean enabled = node.bool("enabled", false);
    Path path = node.optionalPath("path").orElse(stateDir.resolve("alerts.jsonl"));
    return new AlertOutput(enabled, path);
  }
}
