package io.vigil.collector.sink;

import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import java.util.concurrent.atomic.AtomicLong;

/** One sink's counters and its lag gauge, labelled {@code sink="NAME"}. Thread-safe. */
final class SinkMetrics {
  static final String DELIVERED = "vigil_collector_sink_delivered_total";
  static final String FAILURES = "vigil_collector_sink_failures_total";
  static final String FILTERED = "vigil_collector_sink_filtered_total";
  static final String SKIPPED = "vigil_collector_sink_skipped_total";
  static final String LAG = "vigil_collector_sink_lag";

  final Counter delivered;
  final Counter failures;
  final Counter filtered;
  final Counter skipped;

  /** Newest stored alert id minus the sink's cursor, as last seen by the sink's thread. */
  final AtomicLong lag = new AtomicLong();

  SinkMetrics(MetricsRegistry registry, String sink) {
    delivered = registry.counter(DELIVERED, "Alerts a sink's destination took", "sink", sink);
    failures =
        registry.counter(
            FAILURES, "Delivery attempts that failed and will be retried", "sink", sink);
    filtered =
        registry.counter(
            FILTERED, "Alerts a sink passed over because of its filters", "sink", sink);
    skipped =
        registry.counter(
            SKIPPED,
            "Alerts a sink skipped undelivered because it fell more than max_backlog behind",
            "sink",
            sink);
    registry.gauge(LAG, "Alerts stored but not yet dealt with by a sink", lag::get, "sink", sink);
  }
}
