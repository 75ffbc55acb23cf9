package io.vigil.collector.fim;

import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The integrity mirror's counters. What a transaction counts is held until it commits ({@link
 * #publish}) and dropped if it rolls back ({@link #discard}), so the counters never include the
 * work of a transaction that did not happen. Counting is writer-thread only; reading thread-safe.
 */
final class FimMetrics {
  /** Events the mirror took in, by kind. */
  enum Applied {
    BASELINE_PART,
    CHANGE,
    SCAN
  }

  /** What became of a baseline the agent sent. */
  enum Baseline {
    MIRRORED,
    INCOMPLETE,
    REFUSED,
    ABANDONED,
    RESTARTED
  }

  /** What a scan's digest check found. */
  enum Scan {
    MATCH,
    MISMATCH,
    UNVERIFIABLE
  }

  /** Input the mirror could not use, by why. */
  enum Ignored {
    BAD_PART,
    BAD_ENTRY,
    DUPLICATE_PATH,
    OVER_LIMIT,
    REFUSED_BASELINE,
    UNMIRRORED
  }

  private final Map<Applied, Counter> applied = new EnumMap<>(Applied.class);
  private final Map<Baseline, Counter> baselines = new EnumMap<>(Baseline.class);
  private final Map<Scan, Counter> scans = new EnumMap<>(Scan.class);
  private final Map<Ignored, Counter> ignored = new EnumMap<>(Ignored.class);
  private final Counter digests;

  private final long[] pendingApplied = new long[Applied.values().length];
  private final long[] pendingBaselines = new long[Baseline.values().length];
  private final long[] pendingScans = new long[Scan.values().length];
  private final long[] pendingIgnored = new long[Ignored.values().length];
  private long pendingDigests;

  FimMetrics(MetricsRegistry m) {
    for (Applied a : Applied.values()) {
      applied.put(
          a,
          m.counter(
              "vigil_collector_fim_events_total",
              "Integrity-monitoring events applied to the collector's baseline mirrors, by kind",
              "kind",
              label(a)));
    }
    for (Baseline b : Baseline.values()) {
      baselines.put(
          b,
          m.counter(
              "vigil_collector_fim_baselines_total",
              "Baselines agents sent, by outcome: mirrored, incomplete (parts missing at the last"
                  + " part or the next scan), refused (past the entry limit), abandoned (another"
                  + " baseline began first), restarted (part 1 came again)",
              "outcome",
              label(b)));
    }
    for (Scan s : Scan.values()) {
      scans.put(
          s,
          m.counter(
              "vigil_collector_fim_scans_total",
              "Scan digests checked against the mirror, by result (unverifiable: no mirror that"
                  + " follows the agent)",
              "result",
              label(s)));
    }
    for (Ignored i : Ignored.values()) {
      ignored.put(
          i,
          m.counter(
              "vigil_collector_fim_ignored_total",
              "Integrity-monitoring input the mirror did not use, by reason",
              "reason",
              label(i)));
    }
    digests =
        m.counter(
            "vigil_collector_fim_digest_computations_total",
            "Mirror digests computed over a whole mirror (after changes, at a scan)");
  }

  void applied(Applied a) {
    pendingApplied[a.ordinal()]++;
  }

  void baseline(Baseline b) {
    pendingBaselines[b.ordinal()]++;
  }

  void scan(Scan s) {
    pendingScans[s.ordinal()]++;
  }

  void ignored(Ignored i, long n) {
    pendingIgnored[i.ordinal()] += n;
  }

  void digestComputed() {
    pendingDigests++;
  }

  /** The transaction committed: its counts become visible. */
  void publish() {
    flush(pendingApplied, Applied.values(), applied);
    flush(pendingBaselines, Baseline.values(), baselines);
    flush(pendingScans, Scan.values(), scans);
    flush(pendingIgnored, Ignored.values(), ignored);
    digests.add(pendingDigests);
    pendingDigests = 0;
  }

  /** The transaction rolled back: what it counted did not happen. */
  void discard() {
    Arrays.fill(pendingApplied, 0);
    Arrays.fill(pendingBaselines, 0);
    Arrays.fill(pendingScans, 0);
    Arrays.fill(pendingIgnored, 0);
    pendingDigests = 0;
  }

  private static <E extends Enum<E>> void flush(long[] pending, E[] keys, Map<E, Counter> to) {
    for (E k : keys) {
      long n = pending[k.ordinal()];
      if (n > 0) {
        to.get(k).add(n);
        pending[k.ordinal()] = 0;
      }
    }
  }

  private static String label(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
