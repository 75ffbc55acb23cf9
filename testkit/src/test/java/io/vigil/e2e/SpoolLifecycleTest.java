package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.KindCount;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.StoreProbe;
import io.vigil.testkit.VigilProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What happens to the agent's spool when the collector is away or the spool is wiped. */
class SpoolLifecycleTest {
  private static final Set<EventKind> NOT_SYNTHETIC =
      Set.of(EventKind.EVENT_KIND_AGENT_STATUS, EventKind.EVENT_KIND_GAP);

  @TempDir Path dir;

  @Test
  void spoolCapWhileCollectorIsDownIsRecordedAsAnExactGap() throws Exception {
    long n = 120_000;
    try (Deployment d = new Deployment(dir)) {
      // No collector yet: everything stays in the spool, which rolls every second and is capped.
      VigilProcess agent =
          d.startAgent(
              n,
              20_000,
              "spool:",
              "  roll_cycle: TEST_SECONDLY",
              "  max_bytes: 12MiB",
              "status:",
              "  interval: 1h");
      Thread.sleep(n / 20 + 4_000); // the synthetic run takes n / 20,000 s
      VigilProcess collector = d.startCollector();
      StoreProbe store = d.store();
      // Done when every number is either stored or counted as lost in a Gap.
      io.vigil.testkit.Poll.until(
          Duration.ofMinutes(3),
          () ->
              "stored "
                  + store.syntheticCount()
                  + ", lost per Gaps "
                  + syntheticLost(gapsOrEmpty(store))
                  + ", of "
                  + n
                  + "\n"
                  + agent.logText(),
          () -> store.syntheticCount() + syntheticLost(gapsOrEmpty(store)) >= n);

      List<Gap> gaps = gapsOrEmpty(store);
      assertFalse(gaps.isEmpty(), "the cap must have deleted unacknowledged events");
      String epoch = store.epochs().get(0);
      BitSet stored = store.storedSeqs(epoch);
      BitSet covered = new BitSet();
      for (Gap g : gaps) {
        assertEquals(Gap.Reason.REASON_SPOOL_CAP, g.getReason());
        assertEquals(g.getLastSeq() - g.getFirstSeq() + 1, g.getCount(), g.toString());
        BitSet range = new BitSet();
        range.set((int) g.getFirstSeq(), (int) g.getLastSeq() + 1);
        assertFalse(range.intersects(stored), "a Gap must not cover stored events: " + g);
        assertFalse(range.intersects(covered), "Gaps must not overlap: " + g);
        covered.or(range);
        long byKind = g.getCountsByKindList().stream().mapToLong(KindCount::getCount).sum();
        assertEquals(g.getCount(), byKind, "counts by kind must add up: " + g);
      }
      BitSet all = (BitSet) stored.clone();
      all.or(covered);
      int maxSeq = all.length() - 1;
      assertEquals(maxSeq, all.cardinality(), "every seq 1.." + maxSeq + " is stored or in a Gap");

      StoreProbe.Numbers numbers = store.numbers(null);
      assertTrue(numbers.seenTwice().isEmpty(), "no number stored twice");
      BitSet missing = numbers.missing(n);
      assertEquals(
          syntheticLost(gaps), missing.cardinality(), "the Gaps count exactly what is missing");
      assertTrue(missing.cardinality() > 0);
      // The oldest cycles went first: what is missing is the beginning of the run.
      assertEquals(1, missing.nextSetBit(0));
      assertEquals(missing.cardinality(), missing.nextClearBit(1) - 1, "missing numbers: one run");
    }
  }

  @Test
  void aWipedSpoolStartsANewEpochWhoseEventsAreStored() throws Exception {
    long n = 2_000;
    try (Deployment d = new Deployment(dir)) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(n, 0);
      d.awaitStored(n, Duration.ofMinutes(2), agent, collector);
      assertEquals(143, agent.stop(), "SIGTERM: orderly stop, JVM exit status 128+15");
      String agentId = Files.readString(d.agentState().resolve("agent-id")).trim();
      try (Stream<Path> files = Files.walk(d.spoolDir())) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      VigilProcess again = d.startAgent(n, 0);
      d.awaitStored(2 * n, Duration.ofMinutes(2), again, collector);
      List<String> epochs = d.store().epochs();
      assertEquals(2, epochs.size(), "a wiped spool is a new stream epoch");
      assertNotEquals(epochs.get(0), epochs.get(1));
      DeliveryTest.assertExactlyOnce(d.store().numbers(epochs.get(1)), n);
      DeliveryTest.assertExactlyOnce(d.store().numbers(epochs.get(0)), n);
      assertEquals(
          agentId,
          Files.readString(d.agentState().resolve("agent-id")).trim(),
          "the agent id is not the spool's: it survives the wipe");
    }
  }

  private static long syntheticLost(List<Gap> gaps) {
    return gaps.stream()
        .flatMap(g -> g.getCountsByKindList().stream())
        .filter(k -> !NOT_SYNTHETIC.contains(k.getKind()))
        .mapToLong(KindCount::getCount)
        .sum();
  }

  private static List<Gap> gapsOrEmpty(StoreProbe store) {
    try {
      return store.gaps();
    } catch (Exception e) {
      return List.of();
    }
  }
}
