package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import java.time.Duration;

/**
 * Agent enrolment and certificates (the {@code enrollment} section). Immutable.
 *
 * @param agentCertificateValidity {@code enrollment.agent_certificate_validity}: how long an agent
 *     certificate issued at enrolment or renewal is valid (30s to 825d; default 30d; agents renew
 *     after two thirds of it)
 * @param maxAttemptsPerMinute {@code enrollment.max_attempts_per_minute}: enrolment attempts
 *     accepted in any minute, over all callers; more are refused with RESOURCE_EXHAUSTED
 */
public record EnrollmentSection(Duration agentCertificateValidity, int maxAttemptsPerMinute) {

  /** The built-in defaults. */
  public static EnrollmentSection defaults() {
    return new EnrollmentSection(Duration.ofDays(30), 60);
  }

  static EnrollmentSection bind(ConfigNode node) {
    Duration validity =
        node.duration(
            "agent_certificate_validity", "30d", Duration.ofSeconds(30), Duration.ofDays(825));
    int attempts = node.intValue("max_attempts_per_minute", 60, 1, 100_000);
    return new EnrollmentSection(validity, attempts);
  }
}
