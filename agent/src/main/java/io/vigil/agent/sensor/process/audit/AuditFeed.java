package io.vigil.agent.sensor.process.audit;

/**
 * The kernel audit stream as complete events: opens the audit netlink socket, takes the audit
 * daemon slot or reads the multicast group, installs and reconciles Vigil's rules, and delivers
 * events to one listener from its own thread until closed.
 */
public interface AuditFeed extends AutoCloseable {

  /**
   * Opens the source and starts delivering; returns at once.
   *
   * @throws java.io.IOException when audit cannot be used at all (no permission, no kernel
   *     support); the message says why, for the status event
   */
  void start(AuditListener listener) throws java.io.IOException;

  /**
   * What is in use, e.g. "audit (daemon)" or "audit (multicast; pid 412 holds the daemon slot)".
   */
  String source();

  /** True when the feed runs but cannot guarantee exec records (locked configuration, no rules). */
  boolean degraded();

  /** Why it is degraded, or empty. */
  String reason();

  /** Stops the thread, removes the rules it added and gives back what it changed; idempotent. */
  @Override
  void close();
}
