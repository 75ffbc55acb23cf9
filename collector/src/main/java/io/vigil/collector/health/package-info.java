/**
 * Fleet health at the collector: the built-in health and tamper alerts (source {@code health},
 * origin {@code builtin:health}, {@link io.vigil.collector.health.HealthAlerts}), their thresholds
 * ({@link io.vigil.collector.health.HealthOptions}) and an agent's health problems in words for the
 * operator API ({@link io.vigil.collector.health.HealthProblems}).
 *
 * <p>The alerts are raised on the ingest writer thread, inside the transaction that stores what
 * causes them (a Hello, an AgentStatus, a Gap event, a hole declared lost, the periodic silence
 * check), so they commit with it or not at all; see {@code io.vigil.collector.ingest}'s health
 * applier. Everything here is stateless.
 */
package io.vigil.collector.health;
