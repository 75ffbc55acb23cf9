package io.vigil.agent.sensor.packet;

/** Live capture could not start or failed; the message names the interface and the cause. */
public final class CaptureException extends Exception {
  private static final long serialVersionUID = 1L;

  CaptureException(String message, Throwable cause) {
    super(message, cause);
  }
}
