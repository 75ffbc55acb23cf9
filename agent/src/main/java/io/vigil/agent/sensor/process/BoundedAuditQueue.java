package io.vigil.agent.sensor.process;

import io.vigil.agent.sensor.process.audit.AuditEvent;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hand-over of audit events from the feed's reader thread to the sensor's audit thread, bounded
 * by count and by the bytes of the events' records: one audit event can hold hundreds of records of
 * attacker-sized arguments, so a count alone does not bound the heap. An event that does not fit is
 * refused and counted, never waited for. An event larger than the whole byte budget is still taken
 * when the queue is empty, so the heap held is at most the budget plus one event.
 *
 * <p>Thread-safe for one producer and one consumer (the byte check and the add are not one atomic
 * step, so several producers could overshoot the budget by one event each).
 */
final class BoundedAuditQueue {
  private record Queued(AuditEvent event, long bytes) {}

  private final BlockingQueue<Queued> queue;
  private final long maxBytes;
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong drops = new AtomicLong();

  /**
   * @param maxEvents the most events waiting
   * @param maxBytes the most record bytes ({@link AuditEvent#payloadBytes}) waiting
   */
  BoundedAuditQueue(int maxEvents, long maxBytes) {
    this.queue = new ArrayBlockingQueue<>(maxEvents);
    this.maxBytes = maxBytes;
  }

  /** Adds {@code event} unless a bound is reached; false (and counted) when refused. */
  boolean offer(AuditEvent event) {
    long size = event.payloadBytes();
    long held = bytes.get();
    if (held > 0 && held + size > maxBytes) {
      drops.incrementAndGet();
      return false;
    }
    bytes.addAndGet(size);
    if (!queue.offer(new Queued(event, size))) {
      bytes.addAndGet(-size);
      drops.incrementAndGet();
      return false;
    }
    return true;
  }

  /** The next event, waiting up to {@code timeout}; {@code null} when none came. */
  AuditEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
    Queued q = queue.poll(timeout, unit);
    if (q == null) {
      return null;
    }
    bytes.addAndGet(-q.bytes());
    return q.event();
  }

  boolean isEmpty() {
    return queue.isEmpty();
  }

  /** Record bytes of the events waiting now. */
  long bytes() {
    return bytes.get();
  }

  /** Events refused so far. */
  long drops() {
    return drops.get();
  }
}
