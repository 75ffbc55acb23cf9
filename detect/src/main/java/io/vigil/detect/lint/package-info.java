/**
 * Rule lint: says for every Sigma rule in a directory whether it runs on Vigil's telemetry, loads
 * but uses fields Vigil never fills, or is skipped and why ({@link io.vigil.detect.lint.RuleLint}).
 * Reads files only; no transport, no storage.
 */
package io.vigil.detect.lint;
