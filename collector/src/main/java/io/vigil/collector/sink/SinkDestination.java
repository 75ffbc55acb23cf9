package io.vigil.collector.sink;

/** Where a sink delivers, with what its sender needs to reach it: one record per sink type. */
public sealed interface SinkDestination permits WebhookTarget, JsonlTarget, SyslogTarget {
  /** The sink type as configured: {@code webhook}, {@code jsonl} or {@code syslog}. */
  String type();
}
