package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;
import java.time.Duration;

/**
 * Limits of hunting ({@code vigilctl hunt}, the operator API's Hunt; the {@code operator.hunt}
 * section). A hunt reads the store on a connection of its own and never blocks ingest; these bound
 * what it costs the collector's disk and CPU. Immutable.
 *
 * @param maxScannedEvents {@code operator.hunt.max_scanned_events}: stored events one hunt reads at
 *     most, whether or not they pass its column filters (default 5000000, 1000 to 1000000000); a
 *     hunt that reaches it ends with a summary saying so and how far back it searched
 * @param maxConcurrent {@code operator.hunt.max_concurrent}: hunts running at once (default 2, 1 to
 *     16); one more is refused with RESOURCE_EXHAUSTED
 * @param maxDuration {@code operator.hunt.max_duration}: wall-clock time one hunt runs at most
 *     (default 60s, 1s to 1h); it bounds the regular-expression work of a hunt too. A hunt that
 *     reaches it ends with a summary saying so and how far back it searched
 * @param idleTimeout {@code operator.hunt.idle_timeout}: how long a hunt waits for a client that
 *     reads no row (default 30s, 1s to 10m); then the hunt is cancelled with DEADLINE_EXCEEDED and
 *     its slot freed
 * @param maxArrivalDelay {@code operator.hunt.max_arrival_delay}: how long after its event time an
 *     event may have reached the collector and still be found by a hunt whose {@code until} is
 *     older than that (default 7d, 1h to 365d); it lets a hunt over an old window start its walk
 *     there instead of at the newest event
 */
public record HuntSection(
    long maxScannedEvents,
    int maxConcurrent,
    Duration maxDuration,
    Duration idleTimeout,
    Duration maxArrivalDelay) {
  /** The defaults, as when the section is absent. */
  public static final HuntSection DEFAULTS =
      new HuntSection(
          5_000_000, 2, Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofDays(7));

  static HuntSection bind(ConfigNode node) {
    return new HuntSection(
        node.longValue("max_scanned_events", DEFAULTS.maxScannedEvents(), 1_000, 1_000_000_000),
        node.intValue("max_concurrent", DEFAULTS.maxConcurrent(), 1, 16),
        node.duration("max_duration", "60s", Duration.ofSeconds(1), Duration.ofHours(1)),
        node.duration("idle_timeout", "30s", Duration.ofSeconds(1), Duration.ofMinutes(10)),
        node.duration("max_arrival_delay", "7d", Duration.ofHours(1), Duration.ofDays(365)));
  }
}
