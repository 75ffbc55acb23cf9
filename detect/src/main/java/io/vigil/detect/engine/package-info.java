/**
 * The engine boundary: rules in, events in, findings out. {@link
 * io.vigil.detect.engine.RuleCatalog} loads rule directories (saying for every file whether it runs
 * and why not), {@link io.vigil.detect.engine.DetectionEngine} evaluates events against the loaded
 * rules and returns {@link io.vigil.detect.engine.Finding}s. No transport and no storage here, so
 * the same engine runs in the collector, the CLI and a stream-processing worker.
 */
package io.vigil.detect.engine;
