package io.vigil.agent.pki;

import java.time.Duration;
import java.time.Instant;

/**
 * When a client certificate is renewed: once two thirds of its lifetime (notBefore..notAfter) have
 * passed, leaving a third for retries and collector outages. Checks happen at least once a minute
 * and at least ten times per lifetime, so that short-lived certificates (tests) renew in time.
 * Immutable.
 *
 * @param notBefore start of the certificate's validity
 * @param notAfter end of it
 */
public record RenewalSchedule(Instant notBefore, Instant notAfter) {
  private static final Duration MAX_CHECK_INTERVAL = Duration.ofMinutes(1);
  private static final Duration MIN_INTERVAL = Duration.ofMillis(100);

  /** What to do about the certificate at some instant. */
  public enum Decision {
    /** Less than two thirds of the lifetime have passed. */
    WAIT,
    /** Time to ask for a new certificate. */
    RENEW,
    /** Too late: an expired certificate cannot authenticate the renewal. */
    EXPIRED
  }

  /** The certificate's whole lifetime (at least 1 ms, for a malformed one). */
  public Duration lifetime() {
    Duration d = Duration.between(notBefore, notAfter);
    return d.isNegative() || d.isZero() ? Duration.ofMillis(1) : d;
  }

  /** Two thirds into the lifetime. */
  public Instant renewAt() {
    return notBefore.plus(lifetime().multipliedBy(2).dividedBy(3));
  }

  public Decision decide(Instant now) {
    if (!now.isBefore(notAfter)) {
      return Decision.EXPIRED;
    }
    return now.isBefore(renewAt()) ? Decision.WAIT : Decision.RENEW;
  }

  /** How often to check: a minute, or a tenth of the lifetime when that is shorter. */
  public Duration checkInterval() {
    return atLeastMin(min(MAX_CHECK_INTERVAL, lifetime().dividedBy(10)));
  }

  /** How long to wait after a refused or failed renewal: a twentieth of the lifetime. */
  public Duration retryAfterError() {
    return atLeastMin(lifetime().dividedBy(20));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration atLeastMin(Duration d) {
    return d.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : d;
  }
}
