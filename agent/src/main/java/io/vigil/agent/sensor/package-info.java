/**
 * The sensor SPI: {@link io.vigil.agent.sensor.Sensor} and the non-blocking {@link
 * io.vigil.agent.sensor.EventSink} sensors emit into. Each sensor lives in its own sub-package.
 */
package io.vigil.agent.sensor;
