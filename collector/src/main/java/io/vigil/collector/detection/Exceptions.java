package io.vigil.collector.detection;

import io.vigil.collector.config.DetectionSection;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.text.TerminalText;
import io.vigil.detect.engine.RuleCatalog;
import io.vigil.detect.filter.AllowList;
import io.vigil.detect.filter.AllowListException;
import io.vigil.detect.filter.FilterLoad;
import io.vigil.detect.filter.FilterSet;
import io.vigil.detect.filter.FilterVerdict;
import io.vigil.detect.filter.SigmaFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the exceptions a {@link DetectionSection} names, the Sigma filter files and the global
 * allow-list, and says at start what each holds and what did not load. A directory or allow-list
 * that cannot be read stops the start, like a rule directory: a collector told to silence something
 * must not start silencing nothing, nor, with a half-read allow-list, more than it was told. Blocks
 * on file I/O.
 */
final class Exceptions {
  private static final Logger log = LoggerFactory.getLogger(Exceptions.class);
  private static final int LINE_MAX = 1000;

  private Exceptions() {}

  /** The filters of {@code detection.filter_dirs}; null when none are configured. */
  static FilterSet filters(DetectionSection section, RuleCatalog catalog, MetricsRegistry metrics)
      throws RuleLoadException {
    if (section.filterDirs().isEmpty()) {
      return null;
    }
    for (Path dir : section.filterDirs()) {
      if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
        throw new RuleLoadException(
            "detection.filter_dirs: " + dir + " is not a readable directory", null);
      }
    }
    FilterLoad load;
    try {
      load = FilterSet.load(section.filterDirs());
    } catch (IOException | UncheckedIOException e) {
      throw new RuleLoadException(
          "detection.filter_dirs: cannot read " + section.filterDirs() + ": " + e, e);
    }
    log.info("detection: {}", load.summary());
    for (FilterVerdict v : load.notable()) {
      String line = "detection: filter " + TerminalText.escape(v.describe(), LINE_MAX);
      if (v.loaded()) {
        log.info("{}", line);
      } else {
        log.warn("{}", line);
      }
    }
    FilterSet filters = load.filters().withRuleNames(catalog.ruleNames());
    Set<String> detectionRules = new HashSet<>();
    catalog.active().forEach(a -> detectionRules.add(a.id()));
    for (String u : filters.unknownRules(detectionRules)) {
      log.warn("detection: {}: it silences nothing", TerminalText.escape(u, LINE_MAX));
    }
    Set<String> correlationIds = new HashSet<>();
    catalog.correlations().forEach(c -> correlationIds.add(c.ruleId()));
    for (SigmaFilter f : filters.filters()) {
      for (String ref : f.rules()) {
        if (correlationIds.contains(ref)) {
          log.warn(
              "detection: {}: filter.rules names the correlation {}; filters apply to the"
                  + " detection rules a correlation counts (use the allow-list for a"
                  + " correlation's alerts)",
              TerminalText.escape(f.label(), LINE_MAX),
              TerminalText.escape(ref, LINE_MAX));
        }
      }
    }
    metrics.gauge(
        "vigil_collector_detection_filter_errors",
        "Filter evaluations that threw (the finding was kept)",
        filters::errors);
    return filters.isEmpty() ? null : filters;
  }

  /** The allow-list of {@code detection.allow_list}; null when none is configured. */
  static AllowList allowList(DetectionSection section, MetricsRegistry metrics)
      throws RuleLoadException {
    if (section.allowList().isEmpty()) {
      return null;
    }
    Path file = section.allowList().get();
    AllowList list;
    try {
      list = AllowList.load(file);
    } catch (AllowListException e) {
      throw new RuleLoadException(
          "detection.allow_list: "
              + file
              + " has errors, so none of it is applied:\n  "
              + TerminalText.escape(String.join("\n  ", e.errors()), 20 * LINE_MAX),
          e);
    } catch (IOException e) {
      throw new RuleLoadException("detection.allow_list: cannot read " + file + ": " + e, e);
    }
    log.info("detection: allow-list {}: {} entries", file, list.entries().size());
    for (String note : list.notes()) {
      log.warn("detection: allow-list {}", TerminalText.escape(note, LINE_MAX));
    }
    metrics.gauge(
        "vigil_collector_detection_allow_list_errors",
        "Allow-list evaluations that threw (the alert was kept)",
        list::errors);
    return list;
  }
}
