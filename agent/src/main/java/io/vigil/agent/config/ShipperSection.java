package io.vigil.agent.config;

import io.vigil.common.config.ConfigNode;
import java.time.Duration;

/**
 * How spooled events are batched and sent (the {@code shipper} section). Immutable.
 *
 * @param batchMaxEvents {@code shipper.batch_max_events}: events per batch at most
 * @param batchMaxBytes {@code shipper.batch_max_bytes}: serialized bytes per batch at most; at
 *     least {@code spool.max_event_bytes} so that every accepted event fits in a batch
 * @param batchMaxDelay {@code shipper.batch_max_delay}: how long a partial batch waits for more
 * @param maxInFlightBatches {@code shipper.max_in_flight_batches}: batches sent but not yet
 *     acknowledged
 */
public record ShipperSection(
    int batchMaxEvents, int batchMaxBytes, Duration batchMaxDelay, int maxInFlightBatches) {

  static ShipperSection bind(ConfigNode node, int maxEventBytes) {
    int maxEvents = node.intValue("batch_max_events", 1000, 1, 100_000);
    int maxBytes = (int) node.bytes("batch_max_bytes", "1MiB", 1024, 64L << 20);
    if (maxBytes < maxEventBytes) {
      node.error(
          "batch_max_bytes",
          "must be at least spool.max_event_bytes (" + maxEventBytes + " bytes)");
    }
    Duration maxDelay =
        node.duration("batch_max_delay", "50ms", Duration.ZERO, Duration.ofMinutes(1));
    int inFlight = node.intValue("max_in_flight_batches", 16, 1, 1024);
    return new ShipperSection(maxEvents, maxBytes, maxDelay, inFlight);
  }
}
