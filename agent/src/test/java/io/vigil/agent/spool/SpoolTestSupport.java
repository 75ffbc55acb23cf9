package io.vigil.agent.spool;

import io.vigil.agent.sensor.synthetic.SyntheticEvents;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Shared helpers for spool tests. */
final class SpoolTestSupport {
  static final EventKind[] KINDS = {
    EventKind.EVENT_KIND_PROCESS_EXEC,
    EventKind.EVENT_KIND_PROCESS_EXIT,
    EventKind.EVENT_KIND_CONNECTION,
    EventKind.EVENT_KIND_FILE,
    EventKind.EVENT_KIND_DNS
  };

  private SpoolTestSupport() {}

  static SpoolOptions options(Path dir, String rollCycle, long maxBytes) {
    return new SpoolOptions(dir, maxBytes, rollCycle, Duration.ofDays(7));
  }

  static Spool open(Path dir) throws IOException {
    return Spool.open(options(dir, "FAST_HOURLY", 1L << 40), new MetricsRegistry());
  }

  /** Synthetic event {@code n}, kind chosen round-robin. */
  static Event.Builder event(long n) {
    return SyntheticEvents.create(
        n,
        KINDS[(int) (n % KINDS.length)],
        new SplittableRandom(n),
        1_700_000_000_000_000_000L + n);
  }

  /** Everything the reader returns from after {@code seq} until it runs dry. */
  static List<SpooledEvent> readAll(Spool spool, long after) {
    List<SpooledEvent> out = new ArrayList<>();
    try (SpoolReader reader = spool.openReader()) {
      reader.seekAfter(after);
      for (SpooledEvent e = reader.next(); e != null; e = reader.next()) {
        out.add(e);
      }
    }
    return out;
  }
}
