/**
 * A synthetic sensor: numbered, realistic events at a set rate, for tests, benchmarks and the
 * quickstart. {@link io.vigil.agent.sensor.synthetic.SyntheticEvents#numberOf} reads the number
 * back so that end-to-end checks can count every payload.
 */
package io.vigil.agent.sensor.synthetic;
