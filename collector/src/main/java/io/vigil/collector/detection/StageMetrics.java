package io.vigil.collector.detection;

import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.detect.correlation.CorrelationEngine;
import io.vigil.detect.correlation.CorrelationStats;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/** The counters of the {@link AlertStage}, and gauges over its correlation engine's state. */
final class StageMetrics {
  final Counter folded;
  final Counter correlationsFired;
  final Counter allowedCorrelations;
  final Counter allowedStageAlerts;
  final Counter clampedTimes;
  final Counter rebuildFailures;

  StageMetrics(MetricsRegistry m, Supplier<CorrelationEngine> engine) {
    folded =
        m.counter(
            "vigil_collector_alerts_suppressed_total",
            "Matches folded into an earlier identical alert within the suppression window (its"
                + " count rose instead)");
    correlationsFired =
        m.counter(
            "vigil_collector_correlation_alerts_total", "Correlation rules that fired an alert");
    allowedCorrelations =
        m.counter(
            "vigil_collector_detection_silenced_total",
            "Matches silenced by a Sigma filter (the rule did not match) or by the allow-list",
            "by",
            "allow_list_correlation");
    allowedStageAlerts =
        m.counter(
            "vigil_collector_detection_silenced_total",
            "Matches silenced by a Sigma filter (the rule did not match) or by the allow-list",
            "by",
            "allow_list_fim");
    clampedTimes =
        m.counter(
            "vigil_collector_correlation_clamped_times_total",
            "Events whose time was more than 5 minutes ahead of the collector's clock; correlations"
                + " used the collector's clock plus 5 minutes");
    rebuildFailures =
        m.counter(
            "vigil_collector_correlation_rebuild_failures_total",
            "Rebuilds of correlation state from the store that failed (retried with the next"
                + " event)");
    gauge(
        m,
        engine,
        "open_groups",
        "Correlation groups held in memory",
        CorrelationStats::openGroups);
    gauge(
        m,
        engine,
        "held_inputs",
        "Correlation inputs held in windows and reorder buffers",
        s -> s.heldInputs() + s.bufferedInputs());
    gauge(
        m,
        engine,
        "late_dropped",
        "Correlation inputs that arrived later than the allowed lateness (not counted)",
        CorrelationStats::lateDropped);
    gauge(
        m,
        engine,
        "evicted_groups",
        "Correlation groups evicted at the memory cap",
        CorrelationStats::evictedGroups);
    gauge(
        m,
        engine,
        "evicted_inputs",
        "Correlation inputs evicted at the per-group cap",
        CorrelationStats::evictedInputs);
    gauge(
        m,
        engine,
        "buffer_dropped",
        "Correlation inputs dropped because an agent's reorder buffer or the agent cap was full",
        CorrelationStats::bufferDropped);
    gauge(
        m,
        engine,
        "missing_fields",
        "Correlation inputs skipped because their event lacked a group-by or counted field",
        CorrelationStats::missingFields);
    gauge(
        m,
        engine,
        "non_numeric",
        "Correlation inputs left out of a sum or average because the field was not a number",
        CorrelationStats::nonNumeric);
    gauge(
        m,
        engine,
        "evicted_sources",
        "Idle agents forgotten by the correlation engine at its agent cap",
        CorrelationStats::evictedSources);
  }

  private static void gauge(
      MetricsRegistry m,
      Supplier<CorrelationEngine> engine,
      String name,
      String help,
      ToLongFunction<CorrelationStats> value) {
    m.gauge(
        "vigil_collector_correlation_" + name,
        help,
        () -> {
          CorrelationEngine e = engine.get();
          return e == null ? 0 : value.applyAsLong(e.stats());
        });
  }
}
