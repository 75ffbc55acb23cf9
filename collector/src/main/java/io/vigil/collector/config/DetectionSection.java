package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the collector detects on stored events and how it turns matches into alerts (the {@code
 * detection} section). Whether the files exist is checked when the collector starts, not here: a
 * directory may be mounted after the configuration is written. Immutable.
 *
 * @param enabled {@code detection.enabled}: whether events are evaluated at all
 * @param starterRules {@code detection.starter_rules}: whether Vigil's own ruleset, shipped in the
 *     collector, is loaded (first, so its rule ids win over a copy elsewhere)
 * @param ruleDirs {@code detection.rule_dirs}: more directories of Sigma rules and correlation
 *     rules, walked recursively, e.g. a SigmaHQ checkout's {@code rules/linux}
 * @param filterDirs {@code detection.filter_dirs}: directories of Sigma filter files (the spec's
 *     filters document): each silences the rules it names on the events it selects
 * @param allowList {@code detection.allow_list}: a global allow-list file; empty for none
 * @param correlationLateness {@code detection.correlation.lateness}: how far behind the newest
 *     event time of its agent an event may arrive and still count in correlation windows
 * @param correlationMaxGroups {@code detection.correlation.max_groups}: the memory cap, in open
 *     correlation groups over all correlation rules; past it the oldest group is evicted (counted)
 * @param suppressionWindow {@code detection.suppression.window}: identical matches (same rule, host
 *     and matched values) within this much event time of an alert's first one fold into that alert
 *     as a count; zero turns suppression off
 */
public record DetectionSection(
    boolean enabled,
    boolean starterRules,
    List<Path> ruleDirs,
    List<Path> filterDirs,
    Optional<Path> allowList,
    Duration correlationLateness,
    int correlationMaxGroups,
    Duration suppressionWindow) {

  public DetectionSection {
    ruleDirs = List.copyOf(ruleDirs);
    filterDirs = List.copyOf(filterDirs);
  }

  /** Defaults apart from the switches and rule directories (tests, quickstart). */
  public DetectionSection(boolean enabled, boolean starterRules, List<Path> ruleDirs) {
    this(
        enabled,
        starterRules,
        ruleDirs,
        List.of(),
        Optional.empty(),
        Duration.ofSeconds(60),
        100_000,
        Duration.ofSeconds(60));
  }

  static DetectionSection bind(ConfigNode node) {
    boolean enabled = node.bool("enabled", true);
    boolean starter = node.bool("starter_rules", true);
    List<Path> dirs = dirs(node, "rule_dirs");
    List<Path> filterDirs = dirs(node, "filter_dirs");
    Optional<Path> allowList = node.optionalPath("allow_list");
    ConfigNode correlation = node.child("correlation");
    Duration lateness =
        correlation.duration("lateness", "60s", Duration.ZERO, Duration.ofHours(24));
    int maxGroups = correlation.intValue("max_groups", 100_000, 100, 100_000_000);
    Duration window =
        node.child("suppression").duration("window", "60s", Duration.ZERO, Duration.ofDays(7));
    return new DetectionSection(
        enabled, starter, dirs, filterDirs, allowList, lateness, maxGroups, window);
  }

  private static List<Path> dirs(ConfigNode node, String key) {
    List<Path> dirs = new ArrayList<>();
    Set<Path> seen = new HashSet<>();
    for (String s : node.stringList(key, List.of())) {
      Path dir;
      try {
        dir = Path.of(s);
      } catch (InvalidPathException e) {
        node.error(key, "\"" + s + "\" is not a path");
        continue;
      }
      if (!seen.add(dir.toAbsolutePath().normalize())) {
        // Loaded twice, every rule of the second copy would be reported as a duplicate id.
        node.error(key, "\"" + s + "\" is listed twice");
        continue;
      }
      dirs.add(dir);
    }
    return dirs;
  }
}
