package io.vigil.agent.ship;

import com.google.protobuf.UnsafeByteOperations;
import io.vigil.agent.spool.SpooledEvent;
import io.vigil.proto.v1.EventBatch;
import java.util.function.Supplier;

/**
 * Accumulates spooled events into one batch; owned by the shipper thread.
 *
 * <p>A batch is a contiguous seq run ({@code events[i]} has seq {@code first_seq + i}, which the
 * collector relies on): when the reader jumps over events the disk cap deleted, the batch ends
 * before the jump. A batch also ends before an event that would take it past {@code maxBytes}; an
 * event larger than that on its own travels alone.
 */
final class BatchBuilder {
  private final int maxEvents;
  private final long maxBytes;
  private final long maxDelayNanos;
  private final EventBatch.Builder builder = EventBatch.newBuilder();
  private SpooledEvent carried; // read, but belongs to the next batch
  private long lastSeq;
  private long bytes;
  private long startedNanos;

  BatchBuilder(int maxEvents, long maxBytes, long maxDelayNanos) {
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
    this.maxDelayNanos = maxDelayNanos;
  }

  /**
   * Reads more events from {@code reader} (null: nothing more for now); true when the batch should
   * be sent now (full, cut, or old enough).
   */
  boolean fill(Supplier<SpooledEvent> reader) {
    while (builder.getEventsCount() < maxEvents) {
      SpooledEvent e = carried != null ? carried : reader.get();
      carried = null;
      if (e == null) {
        break;
      }
      int count = builder.getEventsCount();
      if (count > 0 && (e.seq() != lastSeq + 1 || bytes + e.bytes().length > maxBytes)) {
        carried = e;
        return true;
      }
      if (count == 0) {
        builder.setFirstSeq(e.seq());
        startedNanos = System.nanoTime();
      }
      // No copy: the reader hands over a fresh array that nothing else holds or changes.
      builder.addEvents(UnsafeByteOperations.unsafeWrap(e.bytes()));
      bytes += e.bytes().length;
      lastSeq = e.seq();
    }
    if (builder.getEventsCount() == 0) {
      return false;
    }
    return builder.getEventsCount() >= maxEvents || bytes >= maxBytes || nanosUntilDue() <= 0;
  }

  boolean isEmpty() {
    return builder.getEventsCount() == 0;
  }

  long nanosUntilDue() {
    return Math.max(0, startedNanos + maxDelayNanos - System.nanoTime());
  }

  EventBatch take(long nowNanos) {
    EventBatch b = builder.setSentTimeNs(nowNanos).build();
    builder.clear();
    bytes = 0;
    return b;
  }
}
