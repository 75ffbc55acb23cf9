package io.vigil.agent.status;

import io.vigil.agent.sensor.TamperSink;
import io.vigil.proto.v1.TamperNotice;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tamper notices waiting for the next agent status. {@link #report} queues a notice and wakes
 * the {@link StatusReporter}, which {@link #take}s every waiting notice into the status it emits at
 * once and {@link #putBack}s them when that status could not be queued, so that each notice goes
 * out exactly once. Bounded: beyond {@link #MAX_PENDING} waiting notices new ones are dropped,
 * counted and logged (that many only pile up while the pipeline refuses statuses). Thread-safe;
 * never blocks.
 */
public final class TamperOutbox implements TamperSink {
  private static final Logger log = LoggerFactory.getLogger(TamperOutbox.class);

  /** Most notices waiting. */
  static final int MAX_PENDING = 256;

  /** Longest kind and detail kept: the detail may quote names an attacker chose. */
  static final int MAX_KIND_CHARS = 64;

  static final int MAX_DETAIL_CHARS = 1024;

  private final ArrayDeque<TamperNotice> pending = new ArrayDeque<>();
  private long dropped;
  private volatile Runnable onReport = () -> {};

  @Override
  public void report(TamperNotice notice) {
    TamperNotice n = bounded(notice);
    synchronized (this) {
      if (pending.size() >= MAX_PENDING) {
        dropped++;
        log.warn(
            "tamper notice dropped, {} already waiting: {}: {}",
            MAX_PENDING,
            n.getKind(),
            n.getDetail());
        return;
      }
      pending.add(n);
    }
    log.warn("TAMPER {}: {} (restored: {})", n.getKind(), n.getDetail(), n.getRestored());
    onReport.run();
  }

  /** Every waiting notice, oldest first; they are no longer waiting. */
  public synchronized List<TamperNotice> take() {
    List<TamperNotice> out = new ArrayList<>(pending);
    pending.clear();
    return out;
  }

  /** Puts notices taken by {@link #take} back in front, in their order (their status failed). */
  public synchronized void putBack(List<TamperNotice> notices) {
    for (int i = notices.size() - 1; i >= 0; i--) {
      if (pending.size() >= MAX_PENDING) {
        dropped++;
        continue;
      }
      pending.addFirst(notices.get(i));
    }
  }

  /** Notices dropped because {@link #MAX_PENDING} were waiting. */
  public synchronized long dropped() {
    return dropped;
  }

  /** What runs after each report (the status reporter's wake-up); must not block. */
  void onReport(Runnable wakeUp) {
    this.onReport = wakeUp;
  }

  private static TamperNotice bounded(TamperNotice n) {
    if (n.getKind().length() <= MAX_KIND_CHARS && n.getDetail().length() <= MAX_DETAIL_CHARS) {
      return n;
    }
    return n.toBuilder()
        .setKind(cut(n.getKind(), MAX_KIND_CHARS))
        .setDetail(cut(n.getDetail(), MAX_DETAIL_CHARS))
        .build();
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }
}
