package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Threat-intel indicators matched against every stored event (the {@code intel} section).
 * Immutable.
 *
 * @param paths {@code intel.paths}: indicator files (plain lists, CSV, STIX 2.1 bundles, MISP
 *     events) and directories of them (a directory with a MISP {@code manifest.json} is read as a
 *     MISP feed)
 * @param reloadInterval {@code intel.reload_interval}: how often the files are checked for changes;
 *     a change is loaded without a restart (zero: load once at start)
 */
public record IntelSection(List<Path> paths, Duration reloadInterval) {
  public IntelSection {
    paths = List.copyOf(paths);
  }

  public static IntelSection none() {
    return new IntelSection(List.of(), Duration.ofSeconds(30));
  }

  static IntelSection bind(ConfigNode node) {
    List<Path> paths = new ArrayList<>();
    for (String s : node.stringList("paths", List.of())) {
      try {
        paths.add(Path.of(s));
      } catch (InvalidPathException e) {
        node.error("paths", "\"" + s + "\" is not a path");
      }
    }
    Duration reload = node.duration("reload_interval", "30s", Duration.ZERO, Duration.ofDays(1));
    return new IntelSection(paths, reload);
  }
}
