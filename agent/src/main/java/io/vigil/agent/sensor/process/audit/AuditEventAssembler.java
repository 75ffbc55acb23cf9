package io.vigil.agent.sensor.process.audit;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Joins records into events by serial. An event is complete when its EOE record arrives, when it is
 * a single-record type, when a record whose serial is more than {@code serialWindow} newer arrives,
 * when it has been open longer than {@code maxAgeNs} at a {@link #flushAged} call, or when it is
 * the oldest of more than {@code maxOpenEvents} open events. A record for a serial that was already
 * completed arrives too late: it is dropped and counted. Completed events go to the sink on the
 * caller's thread.
 *
 * <p>Not thread-safe: one owner thread (the netlink reader) calls every method. The caller supplies
 * the clock, so the assembler never reads time itself. Memory is bounded by {@code maxOpenEvents}
 * times {@link #MAX_RECORDS_PER_EVENT} records of at most {@link
 * AuditRecordParser#MAX_RECORD_BYTES}.
 */
public final class AuditEventAssembler {
  /** Records kept per event; the rest are dropped and counted on the event. */
  public static final int MAX_RECORDS_PER_EVENT = 256;

  private final int maxOpenEvents;
  private final long maxAgeNs;
  private final long serialWindow;
  private final Consumer<AuditEvent> sink;

  /** Open events by serial, in order of their first record. */
  private final Map<Long, Open> open = new LinkedHashMap<>();

  /** Serials recently completed, to recognise late records; bounded like {@link #open}. */
  private final LinkedHashSet<Long> recentlyDone = new LinkedHashSet<>();

  /** Lowest serial among open events, so that most records need no scan of them. */
  private long minOpenSerial = Long.MAX_VALUE;

  private long evictedEvents;
  private long lateRecords;

  /**
   * @param maxOpenEvents open events kept at most; the oldest is completed early beyond that
   * @param maxAgeNs age at which {@link #flushAged} completes an event
   * @param serialWindow how much newer a serial must be to complete an older event; 0 completes at
   *     the first newer record (auditd logs), a few dozen tolerates the interleaving of events from
   *     several CPUs on netlink
   * @param sink receives completed events; must not block
   */
  public AuditEventAssembler(
      int maxOpenEvents, long maxAgeNs, long serialWindow, Consumer<AuditEvent> sink) {
    if (maxOpenEvents < 1 || maxAgeNs < 0 || serialWindow < 0) {
      throw new IllegalArgumentException("maxOpenEvents >= 1, maxAgeNs >= 0, serialWindow >= 0");
    }
    this.maxOpenEvents = maxOpenEvents;
    this.maxAgeNs = maxAgeNs;
    this.serialWindow = serialWindow;
    this.sink = sink;
  }

  /** Adds one record that arrived at {@code nowNs} (caller's monotonic clock). */
  public void accept(AuditRecord record, long nowNs) {
    long serial = record.serial();
    if (recentlyDone.contains(serial)) {
      lateRecords++;
      return;
    }
    completeOlderThan(serial - serialWindow);
    if (record.type() == AuditRecordTypes.EOE) {
      Open o = open.remove(serial);
      if (o != null) {
        complete(o, AuditEvent.Ending.EOE);
      }
      return;
    }
    Open o = open.get(serial);
    if (o == null) {
      if (AuditRecordTypes.standalone(record.type())) {
        Open single = new Open(serial, record.timestampNs(), nowNs);
        single.records.add(record);
        complete(single, AuditEvent.Ending.STANDALONE);
        return;
      }
      if (open.size() >= maxOpenEvents) {
        Iterator<Open> oldest = open.values().iterator();
        Open victim = oldest.next();
        oldest.remove();
        evictedEvents++;
        complete(victim, AuditEvent.Ending.EVICTED);
      }
      o = new Open(serial, record.timestampNs(), nowNs);
      open.put(serial, o);
      minOpenSerial = Math.min(minOpenSerial, serial);
    }
    if (o.records.size() < MAX_RECORDS_PER_EVENT) {
      o.records.add(record);
    } else {
      o.dropped++;
    }
  }

  /** Completes every event first seen more than the maximum age before {@code nowNs}. */
  public void flushAged(long nowNs) {
    List<Open> aged = new ArrayList<>();
    for (Iterator<Open> it = open.values().iterator(); it.hasNext(); ) {
      Open o = it.next();
      if (nowNs - o.firstSeenNs > maxAgeNs) {
        it.remove();
        aged.add(o);
      }
    }
    for (Open o : aged) {
      complete(o, AuditEvent.Ending.AGED);
    }
  }

  /** Completes every open event, oldest first (end of input, shutdown). */
  public void flushAll() {
    List<Open> all = new ArrayList<>(open.values());
    open.clear();
    for (Open o : all) {
      complete(o, AuditEvent.Ending.FLUSHED);
    }
  }

  /** Events currently open. */
  public int openEvents() {
    return open.size();
  }

  /** Events completed early because too many were open. */
  public long evictedEvents() {
    return evictedEvents;
  }

  /** Records dropped because their event had already been completed. */
  public long lateRecords() {
    return lateRecords;
  }

  private void completeOlderThan(long serial) {
    if (serial <= minOpenSerial) {
      return;
    }
    List<Open> done = new ArrayList<>();
    for (Iterator<Open> it = open.values().iterator(); it.hasNext(); ) {
      Open o = it.next();
      if (o.serial < serial) {
        it.remove();
        done.add(o);
      }
    }
    for (Open o : done) {
      complete(o, AuditEvent.Ending.NEWER_SERIAL);
    }
  }

  private void recomputeMinOpenSerial() {
    long min = Long.MAX_VALUE;
    for (long s : open.keySet()) {
      min = Math.min(min, s);
    }
    minOpenSerial = min;
  }

  /** Called after {@code o} left {@link #open}. */
  private void complete(Open o, AuditEvent.Ending ending) {
    if (o.serial == minOpenSerial) {
      recomputeMinOpenSerial();
    }
    recentlyDone.add(o.serial);
    if (recentlyDone.size() > maxOpenEvents + serialWindow + 64) {
      Iterator<Long> it = recentlyDone.iterator();
      it.next();
      it.remove();
    }
    sink.accept(new AuditEvent(o.serial, o.timestampNs, o.records, ending, o.dropped));
  }

  private static final class Open {
    final long serial;
    final long timestampNs;
    final long firstSeenNs;
    final List<AuditRecord> records = new ArrayList<>();
    int dropped;

    Open(long serial, long timestampNs, long firstSeenNs) {
      this.serial = serial;
      this.timestampNs = timestampNs;
      this.firstSeenNs = firstSeenNs;
    }
  }
}
