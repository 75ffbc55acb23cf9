package io.vigil.agent.spool;

import static io.vigil.agent.spool.SpoolTestSupport.event;
import static io.vigil.agent.spool.SpoolTestSupport.options;
import static io.vigil.agent.spool.SpoolTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.platform.linux.FileAllocation;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.KindCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolCapTest {
  private static final String SECONDLY = "TEST_SECONDLY";
  private static final int PER_CYCLE = 2000;

  @TempDir Path dir;

  /** Appends {@code PER_CYCLE} events into each of {@code cycles} distinct one-second cycles. */
  private static void fillCycles(Spool spool, int cycles) throws InterruptedException {
    long n = spool.lastSeq();
    for (int c = 0; c < cycles; c++) {
      // Start each batch just after a second begins, so that it has a whole second to land in one
      // cycle file even on a loaded machine (a batch started late in a second used to straddle
      // two).
      long before = System.currentTimeMillis() / 1000;
      while (System.currentTimeMillis() / 1000 == before) {
        Thread.sleep(5);
      }
      long second = System.currentTimeMillis() / 1000;
      for (int i = 0; i < PER_CYCLE; i++) {
        spool.append(event(++n));
      }
      assertEquals(
          second,
          System.currentTimeMillis() / 1000,
          "a batch of " + PER_CYCLE + " appends took over a second; the cycle layout is off");
    }
  }

  private static long cq4Count(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".cq4")).count();
    }
  }

  @Test
  void capDeletesOldestCyclesAndReportsExactlyTheUnacknowledgedEventsLost() throws Exception {
    MetricsRegistry metrics = new MetricsRegistry();
    long committed = PER_CYCLE + 500; // into the second cycle
    long lastBeforeMaintain;
    try (Spool spool = Spool.open(options(dir, SECONDLY, 1L << 40), metrics)) {
      fillCycles(spool, 4);
      spool.commit(committed);
      lastBeforeMaintain = spool.lastSeq();
      spool.maintain();
      assertEquals(4, cq4Count(dir), "under the cap nothing is deleted");
    }
    long newest = newestCycleFileBytes();
    long others = totalBytes() - cycleFilesBytes();
    long cap = others + newest + 4096;

    try (Spool spool = Spool.open(options(dir, SECONDLY, cap), metrics);
        SpoolReader lagging = spool.openReader()) {
      lagging.seekAfter(10);
      assertEquals(11, lagging.next().seq());

      spool.maintain();

      // The newest cycle stays; the Gap may have opened the current second's cycle after it.
      assertTrue(cq4Count(dir) <= 2, "all older cycles are gone");
      long current = newestCycleFileBytes();
      assertTrue(
          spool.allocatedBytes() - current <= cap,
          spool.allocatedBytes() + " minus current cycle " + current + " > cap " + cap);
      List<SpooledEvent> remaining = readAll(spool, 0);
      Set<Long> readable = remaining.stream().map(SpooledEvent::seq).collect(Collectors.toSet());
      TreeSet<Long> lostUnacked = new TreeSet<>();
      for (long s = committed + 1; s <= lastBeforeMaintain; s++) {
        if (!readable.contains(s)) {
          lostUnacked.add(s);
        }
      }
      assertFalse(lostUnacked.isEmpty());

      SpooledEvent last = remaining.get(remaining.size() - 1);
      assertEquals(lastBeforeMaintain + 1, last.seq());
      Event gapEvent = Event.parseFrom(last.bytes());
      Gap gap = gapEvent.getGap();
      assertEquals(Gap.Reason.REASON_SPOOL_CAP, gap.getReason());
      assertEquals("spool", gap.getSource());
      assertEquals(lostUnacked.first(), gap.getFirstSeq());
      assertEquals(lostUnacked.last(), gap.getLastSeq());
      assertEquals(lostUnacked.size(), gap.getCount());
      assertEquals(
          gap.getCount(), gap.getCountsByKindList().stream().mapToLong(KindCount::getCount).sum());
      assertEquals(event(lostUnacked.first()).getEventTimeNs(), gap.getFirstEventTimeNs());
      assertEquals(event(lostUnacked.last()).getEventTimeNs(), gap.getLastEventTimeNs());
      assertEquals(lostUnacked.size(), metrics.total("vigil_agent_events_lost_unacked_total"));

      // A reader that was inside the deleted range continues at the first remaining entry.
      assertEquals(remaining.get(0).seq(), lagging.next().seq());

      Optional<Event> lastGap = spool.findLast(Event::hasGap);
      assertEquals(gapEvent, lastGap.orElseThrow());
    }
  }

  @Test
  void aGapDeletedByALaterCapIsCarriedForwardSoNoLossGoesUnrecorded() throws Exception {
    MetricsRegistry metrics = new MetricsRegistry();
    try (Spool spool = Spool.open(options(dir, SECONDLY, 1L << 40), metrics)) {
      fillCycles(spool, 2);
    }
    long cap1 = totalBytes() - newestCycleFileBytes() + 4096;
    Gap first;
    try (Spool spool = Spool.open(options(dir, SECONDLY, cap1), metrics)) {
      spool.maintain(); // deletes the first cycle; its Gap lands in a newer one
      first = spool.findLast(Event::hasGap).orElseThrow().getGap();
      fillCycles(spool, 3);
    }
    long cap2 = totalBytes() - newestCycleFileBytes() + 4096;
    try (Spool spool = Spool.open(options(dir, SECONDLY, cap2), metrics)) {
      long last = spool.lastSeq();
      spool.maintain(); // deletes everything but the newest cycle, the first Gap included
      List<SpooledEvent> remaining = readAll(spool, 0);
      TreeSet<Long> covered = new TreeSet<>();
      List<Gap> gaps = new java.util.ArrayList<>();
      for (SpooledEvent e : remaining) {
        covered.add(e.seq());
        Event ev = Event.parseFrom(e.bytes());
        if (ev.hasGap()) {
          gaps.add(ev.getGap());
          for (long q = ev.getGap().getFirstSeq(); q <= ev.getGap().getLastSeq(); q++) {
            assertTrue(covered.add(q) || q > last, "gaps and events must not overlap at " + q);
          }
        }
      }
      assertTrue(gaps.contains(first), "the deleted Gap's content is appended again: " + gaps);
      for (long q = 1; q <= last; q++) {
        assertTrue(covered.contains(q), "seq " + q + " is neither readable nor in a Gap");
      }
      long lost = gaps.stream().mapToLong(Gap::getCount).sum();
      assertEquals(metrics.total("vigil_agent_events_lost_unacked_total"), lost);
    }
  }

  @Test
  void retentionDeletesOnlyAcknowledgedOldCyclesWithoutAGap() throws Exception {
    MetricsRegistry metrics = new MetricsRegistry();
    try (Spool spool = Spool.open(options(dir, SECONDLY, 1L << 40), metrics)) {
      fillCycles(spool, 3);
      spool.commit(PER_CYCLE + 1); // the first cycle fully, the second partly
      List<Path> files = cq4Files();
      FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(30)));
      for (Path f : files) {
        Files.setLastModifiedTime(f, old);
      }
      long lastSeq = spool.lastSeq();
      spool.maintain();
      assertEquals(files.subList(1, files.size()), cq4Files());
      assertEquals(lastSeq, spool.lastSeq(), "no Gap appended");
      assertEquals(0, metrics.total("vigil_agent_events_lost_unacked_total"));
      assertEquals(PER_CYCLE + 1, readAll(spool, 0).get(0).seq());
    }
  }

  @Test
  void findLastFindsAnEventInAnOlderCycle() throws Exception {
    try (Spool spool = Spool.open(options(dir, SECONDLY, 1L << 40), new MetricsRegistry())) {
      spool.append(event(1).setSensor("marker"));
      long second = System.currentTimeMillis() / 1000;
      while (System.currentTimeMillis() / 1000 == second) {
        Thread.sleep(10);
      }
      for (long n = 2; n <= 1000; n++) {
        spool.append(event(n));
      }
      assertTrue(cq4Count(dir) >= 2);
      Event found = spool.findLast(e -> e.getSensor().equals("marker")).orElseThrow();
      assertEquals(1, found.getSeq());
      assertEquals(1000, spool.findLast(e -> true).orElseThrow().getSeq());
      assertTrue(spool.findLast(e -> e.getSeq() > 5000).isEmpty());
    }
  }

  private long cycleFilesBytes() throws Exception {
    long sum = 0;
    for (Path p : cq4Files()) {
      sum += FileAllocation.allocatedBytes(p);
    }
    return sum;
  }

  private long newestCycleFileBytes() throws Exception {
    List<Path> files = cq4Files();
    return FileAllocation.allocatedBytes(files.get(files.size() - 1));
  }

  private long totalBytes() throws Exception {
    long sum = 0;
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        sum += FileAllocation.allocatedBytes(p);
      }
    }
    return sum;
  }

  private List<Path> cq4Files() throws Exception {
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".cq4")).sorted().collect(Collectors.toList());
    }
  }
}
