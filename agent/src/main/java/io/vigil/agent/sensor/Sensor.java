package io.vigil.agent.sensor;

import io.vigil.proto.v1.SensorState;

/**
 * A source of events. A sensor owns its threads: {@link #start} returns at once and the sensor
 * emits into the sink from its own threads until {@link #close}. Sensors know nothing about the
 * spool or the transport.
 */
public interface Sensor extends AutoCloseable {

  /** Stable, unique name, e.g. {@code "process"}; used in config and in {@code Event.sensor}. */
  String name();

  /** Starts producing into {@code sink}. Called once. */
  void start(EventSink sink);

  /** Which source the sensor uses and whether it runs degraded. Thread-safe. */
  SensorState state();

  /** Stops the sensor's threads and releases its resources; idempotent. Does not throw. */
  @Override
  void close();
}
