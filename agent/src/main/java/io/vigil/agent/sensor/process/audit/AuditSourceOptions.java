package io.vigil.agent.sensor.process.audit;

import java.time.Duration;

/**
 * Settings of an {@link AuditSource}. Immutable.
 *
 * @param key the key on every rule the source installs; rules with this key are the source's to
 *     replace or delete, rules with any other key are never touched
 * @param backlogLimit the kernel backlog the source raises {@code backlog_limit} to if lower (the
 *     boot default of 64 loses records in any exec burst)
 * @param networkRules also install connect/accept rules
 * @param receiveBufferBytes kernel receive buffer of the record socket
 * @param receiveTimeout longest a receive blocks; bounds how late aged events are flushed and how
 *     long {@link AuditSource#close} waits for the reader
 * @param statusPollInterval how often the kernel's {@code lost} counter is read
 * @param maxEventAge age at which an event still missing its end record is delivered anyway
 * @param tamperCheckInterval how often the source checks that its rules, {@code enabled} and the
 *     daemon slot are still as it set them, and puts them back ({@link AuditGuard})
 */
public record AuditSourceOptions(
    String key,
    int backlogLimit,
    boolean networkRules,
    int receiveBufferBytes,
    Duration receiveTimeout,
    Duration statusPollInterval,
    Duration maxEventAge,
    Duration tamperCheckInterval) {

  public AuditSourceOptions {
    if (key == null || key.isEmpty() || key.length() > 64) {
      throw new IllegalArgumentException("audit key must be 1..64 characters");
    }
    if (backlogLimit < 1 || receiveBufferBytes < 4096) {
      throw new IllegalArgumentException("backlogLimit >= 1, receiveBufferBytes >= 4096");
    }
    for (Duration d :
        new Duration[] {receiveTimeout, statusPollInterval, maxEventAge, tamperCheckInterval}) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("durations must be positive");
      }
    }
  }

  /**
   * Backlog 8192 (no loss over 1000 execs in the feasibility probe), network rules, 8 MiB buffer,
   * 200 ms receive timeout, 1 s status poll, 2 s event age, tamper check every 15 s.
   */
  public static AuditSourceOptions defaults(String key) {
    return new AuditSourceOptions(
        key,
        8192,
        true,
        8 * 1024 * 1024,
        Duration.ofMillis(200),
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        Duration.ofSeconds(15));
  }
}
