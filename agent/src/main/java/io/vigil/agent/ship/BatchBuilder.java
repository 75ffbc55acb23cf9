package io.vigil.agent.ship;

import com.google.protobuf.UnsafeByteOperations;
import io.vigil.agent.spool.SpoolReader;
import io.vigil.agent.spool.SpooledEvent;
import io.vigil.proto.v1.EventBatch;

/** Accumulates spooled events into one batch; owned by the shipper thread. */
final class BatchBuilder {
  private final ShipperOptions options;
  private final EventBatch.Builder builder = EventBatch.newBuilder();
  private long bytes;
  private long startedNanos;

  BatchBuilder(ShipperOptions options) {
    this.options = options;
  }

  /** Reads more events; true when the batch should be sent now (full, or old enough). */
  boolean fill(SpoolReader reader) {
    while (builder.getEventsCount() < options.batchMaxEvents() && bytes < options.batchMaxBytes()) {
      SpooledEvent e = reader.next();
      if (e == null) {
        break;
      }
      if (builder.getEventsCount() == 0) {
        builder.setFirstSeq(e.seq());
        startedNanos = System.nanoTime();
      }
      // No copy: the reader hands over a fresh array that nothing else holds or changes.
      builder.addEvents(UnsafeByteOperations.unsafeWrap(e.bytes()));
      bytes += e.bytes().length;
    }
    if (builder.getEventsCount() == 0) {
      return false;
    }
    return builder.getEventsCount() >= options.batchMaxEvents()
        || bytes >= options.batchMaxBytes()
        || nanosUntilDue() <= 0;
  }

  boolean isEmpty() {
    return builder.getEventsCount() == 0;
  }

  long nanosUntilDue() {
    return Math.max(0, startedNanos + options.batchMaxDelay().toNanos() - System.nanoTime());
  }

  EventBatch take(long nowNanos) {
    EventBatch b = builder.setSentTimeNs(nowNanos).build();
    builder.clear();
    bytes = 0;
    return b;
  }
}
