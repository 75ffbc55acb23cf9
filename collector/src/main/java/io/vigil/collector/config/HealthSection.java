package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import java.time.Duration;

/**
 * Fleet health alerts (the {@code health} section; docs/fleet-health.md). Immutable.
 *
 * @param silentAfter {@code health.silent_after}: an agent neither connected nor heard from for
 *     this long raises {@code vigil-agent-silent} (default 5m, 5s to 7d)
 * @param checkInterval {@code health.check_interval}: how often the collector looks for silent
 *     agents (default 10s, 1s to 1h)
 * @param maxClockSkew {@code health.max_clock_skew}: an agent clock further than this from the
 *     collector's raises {@code vigil-agent-clock-skew}, once per episode (default 2m, 1s to 1d)
 */
public record HealthSection(Duration silentAfter, Duration checkInterval, Duration maxClockSkew) {

  static HealthSection bind(ConfigNode node) {
    Duration silentAfter =
        node.duration("silent_after", "5m", Duration.ofSeconds(5), Duration.ofDays(7));
    Duration checkInterval =
        node.duration("check_interval", "10s", Duration.ofSeconds(1), Duration.ofHours(1));
    Duration maxSkew =
        node.duration("max_clock_skew", "2m", Duration.ofSeconds(1), Duration.ofDays(1));
    return new HealthSection(silentAfter, checkInterval, maxSkew);
  }
}
