package io.vigil.agent.sensor.process;

import java.time.Duration;

/**
 * What the process sensor is configured with. Immutable.
 *
 * @param maxArgvBytes budget for the argument bytes of one exec (audit and {@code /proc})
 * @param hashMaxFileBytes executables larger than this are not hashed
 * @param tableMaxEntries the most processes the table holds
 * @param exitSettle how long an exit waits before it is emitted, so that the audit exec record of
 *     the same process (which kauditd delivers later than the proc connector exit) lands first
 * @param pollInterval how often {@code /proc} is listed when the proc connector is unavailable
 * @param auditEnabled whether to start the audit feed at all
 */
public record ProcessSensorOptions(
    int maxArgvBytes,
    long hashMaxFileBytes,
    int tableMaxEntries,
    Duration exitSettle,
    Duration pollInterval,
    boolean auditEnabled) {

  public ProcessSensorOptions {
    if (maxArgvBytes < 1 || hashMaxFileBytes < 0 || tableMaxEntries < 16) {
      throw new IllegalArgumentException(
          "need maxArgvBytes >= 1, hashMaxFileBytes >= 0, tableMaxEntries >= 16");
    }
    if (exitSettle.isNegative() || pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("exitSettle must be >= 0 and pollInterval > 0");
    }
  }

  /** The documented defaults: 32 KiB argv, 64 MiB hash limit, 16384 entries, 1 s, 1 s, audit. */
  public static ProcessSensorOptions defaults() {
    return new ProcessSensorOptions(
        32 * 1024, 64L * 1024 * 1024, 16384, Duration.ofSeconds(1), Duration.ofSeconds(1), true);
  }
}
