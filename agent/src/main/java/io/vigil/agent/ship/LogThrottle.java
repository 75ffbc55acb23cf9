package io.vigil.agent.ship;

/**
 * Lets a repeated log message through once per interval, so that a reconnect loop names its cause
 * without flooding the log. A different message passes at once. Not thread-safe: owned by the
 * shipper thread.
 */
final class LogThrottle {
  private final long intervalNanos;
  private String lastMessage;
  private long lastNanos;
  private long suppressed;

  LogThrottle(java.time.Duration interval) {
    this.intervalNanos = interval.toNanos();
  }

  /**
   * True when {@code message} should be logged now; then {@link #suppressed} says how many repeats
   * were held back since it was last logged.
   */
  boolean admit(String message, long nowNanos) {
    if (message.equals(lastMessage) && nowNanos - lastNanos < intervalNanos) {
      suppressed++;
      return false;
    }
    lastMessage = message;
    lastNanos = nowNanos;
    return true;
  }

  /** Repeats held back before the message just admitted; resets the count. */
  long takeSuppressed() {
    long s = suppressed;
    suppressed = 0;
    return s;
  }
}
