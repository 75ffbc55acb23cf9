package io.vigil.agent.sensor.fim;

/**
 * Thrown out of a scan or re-check when the sensor is closing: the work is abandoned and nothing of
 * it is saved.
 */
final class ScanCancelled extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ScanCancelled() {
    super("integrity monitoring is closing", null, false, false);
  }
}
