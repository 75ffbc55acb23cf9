package io.vigil.agent.sensor.process.audit;

/** A record that is not audit text, or that exceeds a parser bound. The message says which. */
public final class MalformedAuditRecordException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  MalformedAuditRecordException(String message) {
    super(message);
  }
}
