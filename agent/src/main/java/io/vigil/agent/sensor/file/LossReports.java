package io.vigil.agent.sensor.file;

import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.KindCount;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the sensor's losses into Gap events: per {@link DropReason}, an exact count of what was
 * dropped ({@code REASON_RATE_LIMITED}), and kernel queue overflows ({@code REASON_SOURCE_OVERRUN},
 * count 0 = unknown). Losses are aggregated so that a storm makes at most one Gap per reason per
 * second; nothing is lost at close ({@link #due} with {@code force}). Thread-safe: the reader adds
 * losses, the processor collects the Gaps.
 */
final class LossReports {
  static final long INTERVAL_NANOS = 1_000_000_000L;

  /** One reason's losses since its last Gap. */
  private static final class Tally {
    long count;
    long firstTimeNs;
    long lastTimeNs;
    boolean everReported;
    long lastReportNanos;

    void add(long eventTimeNs) {
      count++;
      if (eventTimeNs > 0) {
        firstTimeNs = firstTimeNs == 0 ? eventTimeNs : Math.min(firstTimeNs, eventTimeNs);
        lastTimeNs = Math.max(lastTimeNs, eventTimeNs);
      }
    }

    boolean due(long nowNanos, boolean force) {
      return count > 0 && (force || !everReported || nowNanos - lastReportNanos >= INTERVAL_NANOS);
    }

    void reported(long nowNanos) {
      count = 0;
      firstTimeNs = 0;
      lastTimeNs = 0;
      everReported = true;
      lastReportNanos = nowNanos;
    }
  }

  private final String sensor;
  private final Map<DropReason, Tally> drops = new EnumMap<>(DropReason.class);
  private final Tally overflows = new Tally();

  /**
   * @param sensor {@code Event.sensor} and {@code Gap.source}
   */
  LossReports(String sensor) {
    this.sensor = sensor;
    for (DropReason r : DropReason.values()) {
      drops.put(r, new Tally());
    }
  }

  /** One event dropped; its time (UTC ns) when known. */
  synchronized void dropped(DropReason reason, long eventTimeNs) {
    drops.get(reason).add(eventTimeNs);
  }

  /** The source reported an overflow at {@code timeNs}. */
  synchronized void overflow(long timeNs) {
    overflows.add(timeNs);
  }

  /**
   * The Gap events due at monotonic time {@code nowNanos}: for each reason with losses whose last
   * Gap is at least a second old (or never sent), or every one with losses when {@code force}.
   */
  synchronized List<Event.Builder> due(long nowNanos, boolean force) {
    List<Event.Builder> out = new ArrayList<>();
    if (overflows.due(nowNanos, force)) {
      // The kernel does not say how many it lost: count 0 means unknown.
      out.add(gap(Gap.Reason.REASON_SOURCE_OVERRUN, 0, overflows, false));
      overflows.reported(nowNanos);
    }
    for (Tally t : drops.values()) {
      if (t.due(nowNanos, force)) {
        out.add(gap(Gap.Reason.REASON_RATE_LIMITED, t.count, t, true));
        t.reported(nowNanos);
      }
    }
    return out;
  }

  private Event.Builder gap(Gap.Reason reason, long count, Tally t, boolean byKind) {
    Gap.Builder g =
        Gap.newBuilder()
            .setReason(reason)
            .setCount(count)
            .setFirstEventTimeNs(t.firstTimeNs)
            .setLastEventTimeNs(t.lastTimeNs)
            .setSource(sensor);
    if (byKind) {
      g.addCountsByKind(KindCount.newBuilder().setKind(EventKind.EVENT_KIND_FILE).setCount(count));
    }
    return Event.newBuilder().setSensor(sensor).setEventTimeNs(WallClock.nowNanos()).setGap(g);
  }
}
