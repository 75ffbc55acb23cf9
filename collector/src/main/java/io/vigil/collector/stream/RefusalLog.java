package io.vigil.collector.stream;

import io.vigil.common.text.TerminalText;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Warning lines about refused or closed agent streams, at most one per reason every ten seconds
 * (with the number left out since), and with the text escaped: a refusal's text can carry what a
 * peer chose (a certificate's issuer name, a revocation reason), and a peer can open streams in a
 * loop. The metrics count every refusal; this only keeps the log readable. Thread-safe.
 */
final class RefusalLog {
  /** Characters of a refusal's text kept in a line. */
  static final int MAX_TEXT = 300;

  private static final long MIN_INTERVAL_NANOS = 10_000_000_000L;

  private final Consumer<String> sink;
  private final LongSupplier nanoClock;
  private final Map<String, Throttle> byReason = new ConcurrentHashMap<>();

  /** Lines go to {@code log} at WARN. */
  RefusalLog(Logger log) {
    this(log::warn, System::nanoTime);
  }

  RefusalLog(Consumer<String> sink, LongSupplier nanoClock) {
    this.sink = sink;
    this.nanoClock = nanoClock;
  }

  /**
   * Logs "{@code what} from {@code peer}: {@code why}" unless a line for {@code reason} was written
   * less than ten seconds ago.
   *
   * @param reason a fixed label (the metric's), one throttle each; not from the peer
   */
  void warn(String reason, String what, String peer, String why) {
    // Reasons are a fixed set of labels, so the map stays small.
    Throttle t = byReason.computeIfAbsent(reason, r -> new Throttle(nanoClock.getAsLong()));
    long more = t.admit(nanoClock.getAsLong());
    if (more < 0) {
      return;
    }
    sink.accept(line(what, peer, why, more));
  }

  /** The line as logged: {@code why} escaped and cut, the suppressed count appended. */
  static String line(String what, String peer, String why, long suppressed) {
    return what
        + " from "
        + TerminalText.escape(String.valueOf(peer), 100)
        + ": "
        + TerminalText.escape(String.valueOf(why), MAX_TEXT)
        + (suppressed == 0 ? "" : " (" + suppressed + " more such lines left out)");
  }

  private static final class Throttle {
    private final AtomicLong last;
    private final AtomicLong suppressed = new AtomicLong();

    Throttle(long now) {
      last = new AtomicLong(now - MIN_INTERVAL_NANOS);
    }

    /** The number left out since the last line, or -1 when this one is left out too. */
    long admit(long now) {
      long l = last.get();
      if (now - l < MIN_INTERVAL_NANOS || !last.compareAndSet(l, now)) {
        suppressed.incrementAndGet();
        return -1;
      }
      return suppressed.getAndSet(0);
    }
  }
}
