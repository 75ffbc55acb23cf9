package io.vigil.collector.config;

import io.vigil.common.config.ConfigNode;

/**
 * Limits of hunting ({@code vigilctl hunt}, the operator API's Hunt; the {@code operator.hunt}
 * section). A hunt reads the store on a connection of its own and never blocks ingest; these bound
 * what it costs the collector's disk and CPU. Immutable.
 *
 * @param maxScannedEvents {@code operator.hunt.max_scanned_events}: stored events one hunt decodes
 *     and evaluates at most (default 5000000, 1000 to 1000000000); a hunt that reaches it ends with
 *     a summary saying so and how far back it searched
 * @param maxConcurrent {@code operator.hunt.max_concurrent}: hunts running at once (default 2, 1 to
 *     16); one more is refused with RESOURCE_EXHAUSTED
 */
public record HuntSection(long maxScannedEvents, int maxConcurrent) {
  /** The defaults, as when the section is absent. */
  public static final HuntSection DEFAULTS = new HuntSection(5_000_000, 2);

  static HuntSection bind(ConfigNode node) {
    return new HuntSection(
        node.longValue("max_scanned_events", DEFAULTS.maxScannedEvents(), 1_000, 1_000_000_000),
        node.intValue("max_concurrent", DEFAULTS.maxConcurrent(), 1, 16));
  }
}
