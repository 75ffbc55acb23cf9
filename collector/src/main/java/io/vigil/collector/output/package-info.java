/**
 * Where stored events go next: {@link io.vigil.collector.output.EventOutput} implementations are
 * called by the ingest writer after each commit (JSON lines today; syslog, Kafka and others later).
 */
package io.vigil.collector.output;
