package io.vigil.collector.ingest;

import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ingest counters. Event counters move only after a commit, so that {@code received = stored +
 * duplicate + dead_lettered} holds exactly at all times. Thread-safe.
 */
final class IngestMetrics {
  final Counter received;
  final Counter stored;
  final Counter duplicate;
  final Counter batchesCommitted;
  final Counter continuityViolations;
  final Counter continuityExplainedLate;
  final Counter commandResultsNew;
  final Counter commandResultsDuplicate;
  final Counter commandResultsInvalid;
  final Counter transactionRetries;
  final AtomicLong holesOpen = new AtomicLong();
  final AtomicInteger queuedBatches = new AtomicInteger();
  private final MetricsRegistry registry;

  IngestMetrics(MetricsRegistry r) {
    this.registry = r;
    received =
        r.counter(
            "vigil_collector_events_received_total",
            "Events received in batches, re-sends included");
    stored = r.counter("vigil_collector_events_stored_total", "Events stored");
    duplicate =
        r.counter(
            "vigil_collector_events_duplicate_total",
            "Received events at or below the stream watermark, skipped");
    batchesCommitted =
        r.counter("vigil_collector_batches_committed_total", "Event batches committed");
    continuityViolations =
        r.counter(
            "vigil_collector_continuity_violations_total",
            "Seq ranges missing past the grace period and not covered by a Gap");
    continuityExplainedLate =
        r.counter(
            "vigil_collector_continuity_explained_late_total",
            "Reported violations that a Gap explained afterwards");
    String results = "vigil_collector_command_results_total";
    String help = "Command results received, by whether they were new";
    commandResultsNew = r.counter(results, help, "status", "new");
    commandResultsDuplicate = r.counter(results, help, "status", "duplicate");
    commandResultsInvalid = r.counter(results, help, "status", "invalid");
    transactionRetries =
        r.counter(
            "vigil_collector_ingest_transaction_retries_total",
            "Write transactions started again because another process (vigilctl) committed"
                + " between their first read and first write");
    r.gauge(
        "vigil_collector_holes_open",
        "Seq ranges missing from a stream and not (yet) covered by a Gap",
        holesOpen::get);
    r.gauge(
        "vigil_collector_ingest_queued_batches",
        "Batches, command results and stream openings waiting for the ingest writer",
        queuedBatches::get);
  }

  /**
   * @param reason a fixed label: disk_full (a gate refused), store_full (SQLite said so)
   */
  Counter refused(String reason) {
    return registry.counter(
        "vigil_collector_ingest_refused_batches_total",
        "Event batches not stored for lack of space (the agent keeps them and retries), by reason",
        "reason",
        reason);
  }

  /**
   * @param reason one of the bounded labels of {@link EventCheck.Rejected}
   */
  Counter deadLettered(String reason) {
    return registry.counter(
        "vigil_collector_events_dead_lettered_total",
        "Events acknowledged but not stored, by reason",
        "reason",
        reason);
  }

  /**
   * @param level one of {@link #levelLabel}'s labels
   */
  Counter alertsStored(String level) {
    return registry.counter(
        "vigil_collector_alerts_stored_total",
        "Alerts stored (one per rule that matched a stored event), by rule level",
        "level",
        level);
  }

  /**
   * A bounded metric label for a rule's level: Sigma's five levels, {@code none} when the rule
   * gives none, {@code other} for anything else a rule file says.
   */
  static String levelLabel(String level) {
    if (level == null) {
      return "none";
    }
    return switch (level) {
      case "informational", "low", "medium", "high", "critical" -> level;
      default -> "other";
    };
  }

  Counter outputErrors(String output) {
    return registry.counter(
        "vigil_collector_output_errors_total",
        "Failures of an event output after commit (events stay stored)",
        "output",
        output);
  }
}
