package io.vigil.agent.ship;

import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;

/** Counters of the shipper hop. */
final class ShipperMetrics {
  final Counter sent;
  final Counter acked;
  final Counter batches;
  final Counter connects;
  final Counter disconnects;
  final Counter refused;
  final Counter notEnrolled;
  final Counter renewals;

  ShipperMetrics(MetricsRegistry r) {
    sent =
        r.counter(
            "vigil_agent_events_sent_total", "Events sent to the collector, re-sends included");
    acked = r.counter("vigil_agent_events_acked_total", "Events acknowledged by the collector");
    batches = r.counter("vigil_agent_batches_sent_total", "Event batches sent");
    connects = r.counter("vigil_agent_stream_connects_total", "Streams that got a Welcome");
    disconnects =
        r.counter("vigil_agent_stream_failures_total", "Streams that ended with an error");
    refused =
        r.counter(
            "vigil_agent_stream_refused_total",
            "Streams the collector refused (UNAUTHENTICATED or PERMISSION_DENIED)");
    notEnrolled =
        r.counter(
            "vigil_agent_not_enrolled_attempts_total",
            "Connection attempts skipped because the agent has no client certificate");
    renewals = r.counter("vigil_agent_certificate_renewals_total", "Client certificates renewed");
  }
}
