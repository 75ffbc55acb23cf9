package io.vigil.agent.sensor.file;

import static io.vigil.agent.sensor.file.FileOps.CLOSE_WRITE;
import static io.vigil.agent.sensor.file.FileOps.DELETE;
import static io.vigil.agent.sensor.file.FileOps.MODIFY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.KindCount;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rate limits, the sensor's queue and kernel overflows: every loss is counted and in a Gap. */
class FileSensorLossTest {
  @TempDir Path root;

  private String w(String name) {
    return root + "/w/" + name;
  }

  private static long gapTotal(List<Gap> gaps, Gap.Reason reason) {
    return gaps.stream().filter(g -> g.getReason() == reason).mapToLong(Gap::getCount).sum();
  }

  private static void assertRateLimitedGapsWellFormed(List<Gap> gaps) {
    for (Gap g : gaps) {
      assertEquals(Gap.Reason.REASON_RATE_LIMITED, g.getReason());
      assertEquals("file", g.getSource());
      assertEquals(0, g.getFirstSeq());
      assertEquals(
          List.of(
              KindCount.newBuilder()
                  .setKind(EventKind.EVENT_KIND_FILE)
                  .setCount(g.getCount())
                  .build()),
          g.getCountsByKindList());
      assertTrue(g.getFirstEventTimeNs() > 0 && g.getFirstEventTimeNs() <= g.getLastEventTimeNs());
    }
  }

  @Test
  void aPathOverItsShareOfTheWindowIsDroppedAndReportedExactly() {
    FileSensor.Options o =
        Harness.options(root, Duration.ofSeconds(1), 20_000, 10, 65_536, 16_384, 0);
    try (Harness h = new Harness().start(o)) {
      List<FileNotification> ns = new ArrayList<>();
      for (int i = 0; i < 25; i++) { // the file rewritten 25 times: 25 events before limits
        ns.add(h.n(MODIFY, 100, w("hot")));
        ns.add(h.n(CLOSE_WRITE, 100, w("hot")));
      }
      ns.add(h.n(DELETE, 100, w("cold")));
      h.source.feed(ns);
      h.awaitFiles(11);
      Harness.await(
          () -> h.sensor.counters().dropped(DropReason.RATE_LIMITED_PATH) == 15, "15 dropped");
      Harness.await(() -> h.lost.get() == 1, "the listener told once");
      h.sensor.close();

      assertEquals(10, h.files().stream().filter(e -> e.getPath().equals(w("hot"))).count());
      assertEquals(w("cold"), h.files().get(10).getPath(), "another path is not limited");
      List<Gap> gaps = h.gaps();
      assertRateLimitedGapsWellFormed(gaps);
      assertEquals(15, gapTotal(gaps, Gap.Reason.REASON_RATE_LIMITED));
      assertTrue(gaps.size() <= 2, "at most one per second plus the one at close: " + gaps);
      assertEquals(gaps.size(), h.sensor.counters().gaps());
      assertEquals(15.0, h.metrics.value("vigil_file_dropped", "reason", "rate_limited_path"));
    }
  }

  @Test
  void theNextWindowGivesThePathItsShareAgain() {
    FileSensor.Options o =
        Harness.options(root, Duration.ofSeconds(1), 20_000, 2, 65_536, 16_384, 0);
    try (Harness h = new Harness().start(o)) {
      for (int i = 0; i < 3; i++) {
        h.source.feed(h.n(MODIFY, 1, w("f")), h.n(CLOSE_WRITE, 1, w("f")));
      }
      Harness.await(
          () -> h.sensor.counters().dropped(DropReason.RATE_LIMITED_PATH) == 1, "one dropped");
      h.advance(Duration.ofSeconds(1));
      h.source.feed(h.n(MODIFY, 1, w("f")), h.n(CLOSE_WRITE, 1, w("f")));
      h.awaitFiles(3);
      assertEquals(1, h.sensor.counters().dropped(DropReason.RATE_LIMITED_PATH));
    }
  }

  @Test
  void theGlobalRateIsATokenBucketAndItsDropsAreReportedExactly() {
    FileSensor.Options o = Harness.options(root, Duration.ofSeconds(1), 50, 10, 65_536, 16_384, 0);
    try (Harness h = new Harness().start(o)) {
      List<FileNotification> ns = new ArrayList<>();
      for (int i = 0; i < 80; i++) {
        ns.add(h.n(DELETE, 1, w("f" + i)));
      }
      h.source.feed(ns);
      Harness.await(
          () -> h.sensor.counters().dropped(DropReason.RATE_LIMITED_GLOBAL) == 30, "30 dropped");
      h.awaitFiles(50);
      assertEquals(50, h.files().size(), "the burst is one second's worth");
      Harness.await(() -> h.gaps().size() == 1, "the first gap goes out at once");
      // Half a second refills 25 tokens.
      h.advance(Duration.ofMillis(500));
      ns.clear();
      for (int i = 0; i < 40; i++) {
        ns.add(h.n(DELETE, 1, w("g" + i)));
      }
      h.source.feed(ns);
      Harness.await(
          () -> h.sensor.counters().dropped(DropReason.RATE_LIMITED_GLOBAL) == 45, "45 dropped");
      h.awaitFiles(75);
      assertEquals(75, h.files().size());
      assertEquals(1, h.gaps().size(), "not a second later: aggregated");
      h.advance(Duration.ofMillis(500));
      Harness.await(() -> h.gaps().size() == 2, "a second later: the next gap");
      h.sensor.close();
      assertRateLimitedGapsWellFormed(h.gaps());
      assertEquals(45, gapTotal(h.gaps(), Gap.Reason.REASON_RATE_LIMITED));
      assertEquals(2, h.gaps().size(), "nothing left for close");
      assertEquals(2, h.lost.get(), "the listener told once per second of losses");
    }
  }

  @Test
  void aFullQueueDropsCountsAndReportsTheNotifications() throws Exception {
    FileSensor.Options o = Harness.options(root, Duration.ofSeconds(1), 20_000, 10, 4, 16_384, 0);
    CountDownLatch processorBusy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (Harness h = new Harness()) {
      h.beforeOffer =
          e -> {
            if (e.hasFile() && e.getFile().getPath().endsWith("/first")) {
              processorBusy.countDown();
              try {
                release.await(20, TimeUnit.SECONDS); // holds the processor (a test-only sink)
              } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
              }
            }
          };
      h.start(o);
      FileNotification first = h.n(DELETE, 1, w("first"));
      List<FileNotification> burst = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        burst.add(h.n(DELETE, 1, w("b" + i)));
      }
      h.source.step(
          out -> {
            out.accept(first);
            assertTrue(processorBusy.await(20, TimeUnit.SECONDS));
            burst.forEach(out);
          });
      Harness.await(
          () -> h.sensor.counters().dropped(DropReason.QUEUE_FULL) == 96, "96 dropped, 4 queued");
      release.countDown();
      h.awaitFiles(5);
      Harness.await(() -> h.gaps().size() == 1, "a gap");
      h.sensor.close();
      assertEquals(5, h.files().size());
      assertEquals(
          List.of(w("first"), w("b0"), w("b1"), w("b2"), w("b3")),
          h.files().stream().map(e -> e.getPath()).toList());
      assertRateLimitedGapsWellFormed(h.gaps());
      assertEquals(96, gapTotal(h.gaps(), Gap.Reason.REASON_RATE_LIMITED));
      Gap g = h.gaps().get(0);
      assertEquals(burst.get(4).timeNs(), g.getFirstEventTimeNs());
      assertEquals(burst.get(99).timeNs(), g.getLastEventTimeNs());
      assertEquals(1, h.lost.get());
    }
  }

  @Test
  void whatAFullQueueDropsIsCountedInEventsSoEveryFileIsStoredOrLostNeverBoth() throws Exception {
    FileSensor.Options o = Harness.options(root, Duration.ofSeconds(1), 20_000, 10, 4, 16_384, 0);
    CountDownLatch processorBusy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    int files = 50;
    try (Harness h = new Harness()) {
      h.beforeOffer =
          e -> {
            if (e.hasFile() && e.getFile().getPath().endsWith("/first")) {
              processorBusy.countDown();
              try {
                release.await(20, TimeUnit.SECONDS);
              } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
              }
            }
          };
      h.start(o);
      FileNotification first = h.n(DELETE, 1, w("first"));
      List<FileNotification> burst = new ArrayList<>();
      for (int i = 0; i < files; i++) { // echo x > f$i: three notifications, one event
        burst.add(h.n(FileOps.CREATE, 1, w("f" + i)));
        burst.add(h.n(MODIFY, 1, w("f" + i)));
        burst.add(h.n(CLOSE_WRITE, 1, w("f" + i)));
      }
      h.source.step(
          out -> {
            out.accept(first);
            assertTrue(processorBusy.await(20, TimeUnit.SECONDS));
            burst.forEach(out);
          });
      Harness.await(() -> h.sensor.counters().notifications() == 1 + 3 * files, "all handed on");
      release.countDown();
      h.sensor.close();
      long stored =
          h.files().stream().filter(e -> e.getAction() == FileEvent.Action.ACTION_CREATE).count();
      assertEquals(4, stored, "the queue held four");
      assertEquals(files, stored + gapTotal(h.gaps(), Gap.Reason.REASON_RATE_LIMITED));
      assertEquals(files - 4, h.sensor.counters().dropped(DropReason.QUEUE_FULL));
    }
  }

  @Test
  void aKernelOverflowBecomesAGapWithUnknownCountAndTellsTheListener() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      FileNotification overflow = h.n(FileOps.OVERFLOW, 0, "");
      h.source.feed(overflow);
      Harness.await(() -> h.gaps().size() == 1, "a gap");
      Gap g = h.gaps().get(0);
      assertEquals(Gap.Reason.REASON_SOURCE_OVERRUN, g.getReason());
      assertEquals(0, g.getCount(), "unknown");
      assertEquals("file", g.getSource());
      assertEquals(overflow.timeNs(), g.getFirstEventTimeNs());
      assertEquals(overflow.timeNs(), g.getLastEventTimeNs());
      Harness.await(() -> h.lost.get() == 1, "the listener told");
      assertEquals(1, h.sensor.counters().overflows());
      assertEquals(0, h.sensor.counters().filteredOut());
      h.source.feed(h.n(FileOps.OVERFLOW, 0, ""), h.n(FileOps.OVERFLOW, 0, ""));
      Harness.await(() -> h.sensor.counters().overflows() == 3, "three overflows");
      h.sensor.close();
      assertEquals(2, h.gaps().size(), "the later two in one gap (within the second), at close");
      assertEquals(2, h.lost.get(), "a loss in the quiet second is told at the latest at close");
    }
  }

  @Test
  void aRefusingPipelineTellsTheListenerThatEventsWereLost() {
    try (Harness h = new Harness()) {
      h.refuse = true;
      h.start(Harness.options(root));
      h.source.feed(h.n(DELETE, 1, w("a")));
      Harness.await(() -> h.lost.get() == 1, "lost told");
      assertEquals(List.of(w("a")), h.changed, "the change is still passed on");
      assertEquals(1, h.sensor.counters().emitted());
    }
  }
}
