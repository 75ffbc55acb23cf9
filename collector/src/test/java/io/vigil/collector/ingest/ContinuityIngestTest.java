package io.vigil.collector.ingest;

import static io.vigil.collector.ingest.TestEvents.batch;
import static io.vigil.collector.ingest.TestEvents.gap;
import static io.vigil.collector.ingest.TestEvents.now;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.GapRow;
import io.vigil.collector.store.HoleRow;
import io.vigil.collector.store.StoreReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContinuityIngestTest {
  private static final String AGENT = "agent-holes";
  private static final String EPOCH = "e1";
  private static final long MINUTE_NS = 60_000_000_000L;

  @TempDir Path dir;

  @Test
  void gapsExplainTheHolesTheyCoverSplittingPartlyCoveredOnes() throws Exception {
    try (IngestFixture f = new IngestFixture(dir)) {
      f.ingest.submit(AGENT, EPOCH, batch(1, 10), now()).get();
      f.ingest.submit(AGENT, EPOCH, batch(51, 60), now()).get();
      assertEquals(List.of(hole(11, 50, false)), holes(f));
      assertEquals(1.0, f.metrics.value("vigil_collector_holes_open"));

      f.ingest.submit(AGENT, EPOCH, TestEvents.of(gap(61, 11, 30)), now()).get();
      assertEquals(List.of(hole(11, 30, true), hole(31, 50, false)), holes(f));

      f.ingest.submit(AGENT, EPOCH, TestEvents.of(gap(62, 31, 50)), now()).get();
      assertEquals(List.of(hole(11, 30, true), hole(31, 50, true)), holes(f));
      assertEquals(0.0, f.metrics.value("vigil_collector_holes_open"));
      assertEquals(0, f.ingest.checkContinuity().get());

      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        List<GapRow> gaps = reader.gaps(AGENT);
        assertEquals(2, gaps.size());
        assertEquals("REASON_SPOOL_CAP", gaps.get(0).reason());
        assertEquals(61, gaps.get(0).seq());
        assertEquals(20, gaps.get(0).count());
        assertEquals(22, reader.countEvents()); // the Gap events are events too
      }
    }
  }

  @Test
  void holeUncoveredPastTheGracePeriodIsReportedExactlyOnce() throws Exception {
    IngestOptions options = IngestOptions.defaults().withHoleGrace(Duration.ofMinutes(2));
    try (IngestFixture f = new IngestFixture(dir, options)) {
      long tenMinutesAgo = now() - 10 * MINUTE_NS;
      f.ingest.submit(AGENT, EPOCH, batch(1, 5), tenMinutesAgo).get();
      f.ingest.submit(AGENT, EPOCH, batch(20, 21), tenMinutesAgo).get();
      // A hole seen just now is still within its grace period.
      f.ingest.submit("agent-recent", EPOCH, batch(3, 4), now()).get();

      assertEquals(1, f.ingest.checkContinuity().get());
      assertEquals(0, f.ingest.checkContinuity().get());
      assertEquals(1, f.counter("vigil_collector_continuity_violations_total"));
      assertEquals(2.0, f.metrics.value("vigil_collector_holes_open"));
      try (StoreReader reader = EventStore.openReadOnly(f.file)) {
        HoleRow h = reader.holes(AGENT).get(0);
        assertEquals(6, h.firstSeq());
        assertEquals(19, h.lastSeq());
        assertEquals(true, h.reported());
        assertEquals(false, reader.holes("agent-recent").get(0).reported());
      }
      // The Gap arrives late (a long backlog): the violation is said to be explained after all.
      f.ingest.submit(AGENT, EPOCH, TestEvents.of(gap(22, 6, 19)), now()).get();
      assertEquals(1, f.counter("vigil_collector_continuity_explained_late_total"));
      assertEquals(1.0, f.metrics.value("vigil_collector_holes_open"));
    }
  }

  private static List<HoleRow> holes(IngestFixture f) {
    try (StoreReader reader = EventStore.openReadOnly(f.file)) {
      return reader.holes(AGENT).stream()
          .map(h -> hole(h.firstSeq(), h.lastSeq(), h.explained()))
          .toList();
    }
  }

  private static HoleRow hole(long first, long last, boolean explained) {
    return new HoleRow(0, AGENT, EPOCH, first, last, 0, explained, false);
  }
}
