package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.Deployment;
import io.vigil.testkit.StoreProbe;
import io.vigil.testkit.VigilProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agent and collector as separate processes on loopback over TLS. Each check counts synthetic
 * numbers in the payloads the collector stored, never the processes' own counters.
 */
class DeliveryTest {
  @TempDir Path dir;

  @Test
  void oneMillionEventsOverTlsAreStoredExactlyOnce() throws Exception {
    long n = 1_000_000;
    try (Deployment d = new Deployment(dir)) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(n, 0);
      d.awaitStored(n, Duration.ofMinutes(6), agent, collector);
      assertExactlyOnce(d.store().numbers(null), n);
      assertTrue(collector.logText().contains("TLS"), collector.logText());
    }
  }

  @Test
  void agentKilledMidStreamLosesAndRepeatsNothing() throws Exception {
    long n = 200_000;
    try (Deployment d = new Deployment(dir)) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(n, 40_000);
      d.awaitStored(30_000, Duration.ofMinutes(2), agent, collector);
      agent.kill9();
      assertTrue(d.store().syntheticCount() < n, "the agent must be killed mid-stream");
      VigilProcess again = d.startAgent(n, 40_000);
      d.awaitStored(n, Duration.ofMinutes(4), again, collector);
      assertExactlyOnce(d.store().numbers(null), n);
      assertEquals(1, d.store().epochs().size(), "a restart keeps the spool's epoch");
    }
  }

  @Test
  void collectorKilledMidBatchLosesAndRepeatsNothing() throws Exception {
    long n = 200_000;
    try (Deployment d = new Deployment(dir)) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(n, 40_000);
      d.awaitStored(30_000, Duration.ofMinutes(2), agent, collector);
      collector.kill9();
      assertTrue(d.store().syntheticCount() < n, "the collector must be killed mid-stream");
      VigilProcess again = d.startCollector();
      d.awaitStored(n, Duration.ofMinutes(4), agent, again);
      assertExactlyOnce(d.store().numbers(null), n);
    }
  }

  @Test
  void backlogDrainsAfterTheCollectorWasDown() throws Exception {
    long n = 150_000;
    try (Deployment d = new Deployment(dir)) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(n, 10_000); // 15 s of events
      d.awaitStored(1, Duration.ofMinutes(1), agent, collector);
      collector.stop();
      // The agent keeps producing into its spool while nobody listens.
      Thread.sleep(4000);
      long storedWhileDown = d.store().syntheticCount();
      assertTrue(storedWhileDown < n, "some backlog must build up; stored " + storedWhileDown);
      VigilProcess again = d.startCollector();
      d.awaitStored(n, Duration.ofMinutes(4), agent, again);
      assertExactlyOnce(d.store().numbers(null), n);
    }
  }

  static void assertExactlyOnce(StoreProbe.Numbers numbers, long n) {
    assertTrue(
        numbers.seenTwice().isEmpty(),
        numbers.seenTwice().cardinality() + " numbers stored twice, first " + numbers.seenTwice());
    assertEquals(
        0, numbers.missing(n).cardinality(), () -> "missing: " + first(numbers.missing(n)));
    assertEquals(n, numbers.seen().cardinality());
  }

  private static String first(java.util.BitSet b) {
    return b.stream().limit(20).boxed().toList() + (b.cardinality() > 20 ? " ..." : "");
  }
}
