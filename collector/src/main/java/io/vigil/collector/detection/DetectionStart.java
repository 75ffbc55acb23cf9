package io.vigil.collector.detection;

import io.vigil.collector.config.DetectionSection;
import io.vigil.collector.config.IntelSection;
import io.vigil.collector.intel.IntelFeed;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.text.TerminalText;
import io.vigil.detect.correlation.CorrelationEngine;
import io.vigil.detect.correlation.CorrelationOptions;
import io.vigil.detect.engine.CatalogEntry;
import io.vigil.detect.engine.DetectionEngine;
import io.vigil.detect.engine.RuleCatalog;
import io.vigil.detect.filter.AllowList;
import io.vigil.detect.filter.FilterSet;
import io.vigil.detect.lint.LintVerdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detection at collector start: loads the rules, says what did not load and why (nothing is dropped
 * silently), exports the counts, and hands ingest its {@link EventDetector}.
 */
public final class DetectionStart {
  private static final Logger log = LoggerFactory.getLogger(DetectionStart.class);

  /** Rule text in log lines is bounded: a rule file is operator input, but may be long. */
  private static final int LINE_MAX = 1000;

  private DetectionStart() {}

  /**
   * Loads the rules, correlation rules, filters, allow-list and threat-intel indicators, and
   * registers their metrics; detection that stores no alert when it is disabled. Blocks on reading
   * the files.
   *
   * @throws RuleLoadException when a configured rule or filter directory or the allow-list cannot
   *     be read
   */
  public static Detection start(
      DetectionSection section, IntelSection intelSection, MetricsRegistry metrics)
      throws RuleLoadException {
    if (!section.enabled()) {
      log.info("detection disabled (detection.enabled: false): events are stored without alerts");
      return Detection.none(metrics);
    }
    RuleCatalog catalog = RuleDirectories.load(section);
    for (Line line : report(catalog)) {
      if (line.warning()) {
        log.warn("{}", line.text());
      } else {
        log.info("{}", line.text());
      }
    }
    register(catalog, metrics);
    FilterSet filters = Exceptions.filters(section, catalog, metrics);
    AllowList allowList = Exceptions.allowList(section, metrics);
    CorrelationOptions options =
        new CorrelationOptions(
            section.correlationLateness(),
            section.correlationMaxGroups(),
            CorrelationOptions.defaults().maxInputsPerGroup());
    CorrelationEngine correlations =
        catalog.correlations().isEmpty() ? null : catalog.correlationEngine(options);
    IntelFeed intel = IntelFeed.start(intelSection, metrics);
    AgentHostnames hostnames = new AgentHostnames();
    DetectionEngine engine = catalog.engine();
    EventDetector detector =
        new EventDetector(
            engine,
            catalog::standalone,
            correlations,
            filters,
            allowList,
            intel::current,
            EventDetector.Metrics.of(engine, metrics));
    AlertStage stage =
        new AlertStage(
            correlations == null ? null : () -> catalog.correlationEngine(options),
            allowList,
            section.suppressionWindow(),
            hostnames::get,
            metrics);
    return new Detection(detector, stage, hostnames, intel);
  }

  /** Sigma rules only, as before correlations (tests that need no more). */
  public static EventDetector start(DetectionSection section, MetricsRegistry metrics)
      throws RuleLoadException {
    return start(section, IntelSection.none(), metrics).detector();
  }

  /** One log line about the catalog, escaped for a terminal. */
  record Line(boolean warning, String text) {}

  /**
   * The summary, then one line per rule file that is not active or does not plainly run: inactive
   * ones are warnings, active ones with a caveat (fields Vigil never fills) are information.
   */
  static List<Line> report(RuleCatalog catalog) {
    List<Line> out = new ArrayList<>();
    boolean none = catalog.active().isEmpty();
    out.add(
        new Line(
            none,
            "detection: "
                + catalog.summary()
                + (none ? "; no rule is active, so no alert will be raised" : "")));
    for (CatalogEntry e : catalog.notable()) {
      out.add(new Line(!e.active(), "detection: " + TerminalText.escape(e.describe(), LINE_MAX)));
    }
    return out;
  }

  private static void register(RuleCatalog catalog, MetricsRegistry metrics) {
    int active = catalog.active().size();
    metrics.gauge(
        "vigil_collector_detection_rules_active",
        "Sigma rules evaluated on every event",
        () -> active);
    catalog
        .countsByKind()
        .forEach(
            (kind, count) ->
                metrics.gauge(
                    "vigil_collector_detection_rule_files",
                    "Rule files loaded at start, by lint class (runs, unfilled_fields, skipped)",
                    () -> count,
                    "class",
                    label(kind)));
  }

  private static String label(LintVerdict.Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
