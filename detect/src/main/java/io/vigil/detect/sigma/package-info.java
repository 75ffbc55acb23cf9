/**
 * Sigma rules (the SigmaHQ format, unmodified) loaded once and compiled to matchers that are
 * evaluated on every event. Nothing in this module knows about transport or storage: detection code
 * takes events and returns findings, so the same engine runs in the collector, the CLI and a
 * stream-processing worker.
 */
package io.vigil.detect.sigma;
