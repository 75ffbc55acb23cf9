package io.vigil.collector.stream;

import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;

/** Counters of the agent stream endpoint. */
final class StreamMetrics {
  final Counter streamsOpened;
  final Counter malformed;
  final Counter rejectedHello;
  final Counter batches;
  final Counter overLimit;
  final Counter throttled;
  final Counter tooManyStreams;
  final MetricsRegistry registry;

  StreamMetrics(MetricsRegistry r) {
    this.registry = r;
    streamsOpened =
        r.counter("vigil_collector_streams_opened_total", "Agent streams that sent a valid Hello");
    malformed =
        r.counter(
            "vigil_collector_messages_malformed_total",
            "Agent messages that did not parse; their streams were closed");
    rejectedHello =
        r.counter(
            "vigil_collector_streams_rejected_total",
            "Agent streams refused (missing or invalid Hello, unsupported schema)");
    batches = r.counter("vigil_collector_batches_received_total", "Event batches received");
    overLimit =
        r.counter(
            "vigil_collector_messages_over_limit_total",
            "Agent messages over a content limit (events per batch, command results, Hello"
                + " fields); their streams were closed");
    throttled =
        r.counter(
            "vigil_collector_throttled_batches_total",
            "Batches and command results after which an agent's next message was read later"
                + " because the agent sent more than ingest.max_events_per_second_per_agent");
    tooManyStreams =
        r.counter(
            "vigil_collector_streams_over_agent_limit_total",
            "Agent streams refused at their start because their agent already had the most"
                + " streams open that one agent may have");
  }
}
