/**
 * The detection engine inside the collector: {@link io.vigil.collector.detection.DetectionStart}
 * loads the configured rule directories at start (failing the start when one cannot be read,
 * logging every rule that does not plainly run, exporting the counts as metrics), and {@link
 * io.vigil.collector.detection.EventDetector} turns the engine's findings on one event into {@link
 * io.vigil.collector.store.NewAlert}s, which ingest stores in the event's own transaction.
 */
package io.vigil.collector.detection;
