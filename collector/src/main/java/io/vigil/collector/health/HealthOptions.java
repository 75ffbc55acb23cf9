package io.vigil.collector.health;

import java.time.Duration;

/**
 * Thresholds of the fleet health alerts (the collector's {@code health.*} section). Immutable.
 *
 * @param silentAfter an agent neither connected nor heard from for this long is declared silent
 * @param checkInterval how often the ingest writer looks for silent agents
 * @param maxClockSkew an agent clock further than this from the collector's is reported
 */
public record HealthOptions(Duration silentAfter, Duration checkInterval, Duration maxClockSkew) {
  public HealthOptions {
    requirePositive("silentAfter", silentAfter);
    requirePositive("checkInterval", checkInterval);
    requirePositive("maxClockSkew", maxClockSkew);
  }

  /** Silent after 5 minutes, checked every 10 seconds, clock skew up to 2 minutes. */
  public static HealthOptions defaults() {
    return new HealthOptions(Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofMinutes(2));
  }

  private static void requirePositive(String name, Duration d) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
