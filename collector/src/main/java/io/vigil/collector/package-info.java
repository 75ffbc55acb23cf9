/**
 * The collector process: {@link io.vigil.collector.CollectorMain} parses the command line and
 * {@link io.vigil.collector.Collector} wires detection, store, ingest, outputs, the agent stream
 * endpoint and the metrics endpoint together.
 */
package io.vigil.collector;
