package io.vigil.agent.spool;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.KindCount;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counts lost events for one {@link Gap}: how many, of which kinds, which seqs and when. Not
 * thread-safe; the owner guards it.
 */
public final class LossTally {
  private final Map<EventKind, Long> byKind = new EnumMap<>(EventKind.class);
  private long count;
  private long firstSeq;
  private long lastSeq;
  private long firstTimeNs;
  private long lastTimeNs;

  /** The kind of an event's payload ({@code EVENT_KIND_UNSPECIFIED} when none is set). */
  public static EventKind kindOf(Event.Builder event) {
    return kindOf(event.getPayloadCase().getNumber());
  }

  /** The kind with this number; unknown numbers count as {@code EVENT_KIND_UNSPECIFIED}. */
  public static EventKind kindOf(int number) {
    EventKind kind = EventKind.forNumber(number);
    return kind == null || kind == EventKind.UNRECOGNIZED ? EventKind.EVENT_KIND_UNSPECIFIED : kind;
  }

  /** Adds one lost event; {@code seq} 0 means it never had one. */
  public void add(long seq, EventKind kind, long eventTimeNs) {
    count++;
    byKind.merge(kind, 1L, Long::sum);
    if (seq > 0) {
      firstSeq = firstSeq == 0 ? seq : Math.min(firstSeq, seq);
      lastSeq = Math.max(lastSeq, seq);
    }
    if (eventTimeNs > 0) {
      firstTimeNs = firstTimeNs == 0 ? eventTimeNs : Math.min(firstTimeNs, eventTimeNs);
      lastTimeNs = Math.max(lastTimeNs, eventTimeNs);
    }
  }

  public long count() {
    return count;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** The Gap describing everything added so far. */
  public Gap toGap(Gap.Reason reason, String source) {
    Gap.Builder gap =
        Gap.newBuilder()
            .setReason(reason)
            .setFirstSeq(firstSeq)
            .setLastSeq(lastSeq)
            .setCount(count)
            .setFirstEventTimeNs(firstTimeNs)
            .setLastEventTimeNs(lastTimeNs)
            .setSource(source);
    byKind.forEach((k, n) -> gap.addCountsByKind(KindCount.newBuilder().setKind(k).setCount(n)));
    return gap.build();
  }

  /** An event carrying the Gap, stamped now, with {@code sensor} set to {@code source}. */
  public Event.Builder toGapEvent(Gap.Reason reason, String source) {
    Instant now = Instant.now();
    long nowNs = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    return Event.newBuilder().setEventTimeNs(nowNs).setSensor(source).setGap(toGap(reason, source));
  }
}
