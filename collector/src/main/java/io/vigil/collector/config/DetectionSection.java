package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which Sigma rules the collector runs on every stored event (the {@code detection} section).
 * Whether the directories exist is checked when the collector starts, not here: a directory may be
 * mounted after the configuration is written. Immutable.
 *
 * @param enabled {@code detection.enabled}: whether events are evaluated at all
 * @param starterRules {@code detection.starter_rules}: whether Vigil's own ruleset, shipped in the
 *     collector, is loaded (first, so its rule ids win over a copy elsewhere)
 * @param ruleDirs {@code detection.rule_dirs}: more directories of Sigma rules, walked recursively,
 *     e.g. a SigmaHQ checkout's {@code rules/linux}
 */
public record DetectionSection(boolean enabled, boolean starterRules, List<Path> ruleDirs) {

  public DetectionSection {
    ruleDirs = List.copyOf(ruleDirs);
  }

  static DetectionSection bind(ConfigNode node) {
    boolean enabled = node.bool("enabled", true);
    boolean starter = node.bool("starter_rules", true);
    List<Path> dirs = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    for (String s : node.stringList("rule_dirs", List.of())) {
      Path dir;
      try {
        dir = Path.of(s);
      } catch (InvalidPathException e) {
        node.error("rule_dirs", "\"" + s + "\" is not a path");
        continue;
      }
      if (!seen.add(dir.toAbsolutePath().normalize())) {
        // Loaded twice, every rule of the second copy would be reported as a duplicate id.
        node.error("rule_dirs", "\"" + s + "\" is listed twice");
        continue;
      }
      dirs.add(dir);
    }
    return new DetectionSection(enabled, starter, dirs);
  }
}
