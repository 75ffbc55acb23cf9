/**
 * Sigma correlation rules (specification 2.1) evaluated over the findings of detection rules.
 * {@link io.vigil.detect.correlation.CorrelationResolver} resolves the references of loaded
 * correlations (by id or name, across files, through chains) into {@link
 * io.vigil.detect.correlation.CorrelationRule}s, saying why a correlation is inactive when it is;
 * {@link io.vigil.detect.correlation.CorrelationEngine} takes base-rule findings as {@link
 * io.vigil.detect.correlation.CorrelationInput}s, orders them in event time per source, and emits
 * {@link io.vigil.detect.correlation.CorrelationFinding}s. Pure: no transport, no storage; the
 * collector persists inputs and rebuilds the engine's state by re-offering them (see {@link
 * io.vigil.detect.correlation.CorrelationEngine#horizonNs}).
 */
package io.vigil.detect.correlation;
