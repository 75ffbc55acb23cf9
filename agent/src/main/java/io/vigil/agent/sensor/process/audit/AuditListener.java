package io.vigil.agent.sensor.process.audit;

/**
 * Receives complete audit events from an {@link AuditFeed}, on the feed's single reader thread:
 * implementations must return quickly and must not throw.
 */
public interface AuditListener {

  /** One complete event (all records of one serial). */
  void onAuditEvent(AuditEvent event);

  /**
   * The kernel or the socket lost audit records: {@code count} from the kernel's {@code lost}
   * counter, or 0 when the number is unknown (a socket overrun).
   *
   * @param reason e.g. "audit socket overrun (ENOBUFS)", "kernel audit backlog: lost counter"
   */
  default void onAuditLoss(long count, String reason) {}
}
