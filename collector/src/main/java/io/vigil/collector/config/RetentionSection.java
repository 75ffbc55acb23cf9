package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import java.time.Duration;

/**
 * What the collector deletes, and how often it looks (the {@code retention} section). Immutable.
 * Zero in a limit means no limit. See {@code docs/retention.md}.
 *
 * @param eventsMaxAge {@code retention.events_max_age}: events received longer ago are deleted
 *     (with their dependent rows); default 30d
 * @param eventsMaxBytes {@code retention.events_max_bytes}: while the database's used size is above
 *     it, the oldest events are deleted; default 0
 * @param alertsMaxAge {@code retention.alerts_max_age}: alerts stored longer ago are deleted with
 *     their history; default 365d
 * @param interval {@code retention.interval}: time between runs; default 1m
 */
public record RetentionSection(
    Duration eventsMaxAge, long eventsMaxBytes, Duration alertsMaxAge, Duration interval) {

  static RetentionSection bind(ConfigNode node) {
    Duration forever = Duration.ofDays(365L * 100);
    return new RetentionSection(
        node.duration("events_max_age", "30d", Duration.ZERO, forever),
        node.bytes("events_max_bytes", "0", 0, 1L << 50),
        node.duration("alerts_max_age", "365d", Duration.ZERO, forever),
        node.duration("interval", "1m", Duration.ofMillis(100), Duration.ofDays(1)));
  }
}
