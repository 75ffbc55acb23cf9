package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.Deployment;
import io.vigil.testkit.Poll;
import io.vigil.testkit.StoreProbe;
import io.vigil.testkit.VigilProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet health with a real collector and a real agent process: an agent stopped for longer than
 * {@code health.silent_after} raises {@code vigil-agent-silent}; one whose spool is wiped raises
 * {@code vigil-agent-new-epoch} when it comes back, which also ends its silence.
 */
class FleetHealthTest {
  private static final String SILENT = "vigil-agent-silent";
  private static final String NEW_EPOCH = "vigil-agent-new-epoch";

  @TempDir Path dir;

  @Test
  void aStoppedAgentGoesSilentAndAWipedSpoolIsANewEpoch() throws Exception {
    long n = 100;
    try (Deployment d = new Deployment(dir)) {
      VigilProcess collector =
          d.startCollector("health:", "  silent_after: 5s", "  check_interval: 1s");
      VigilProcess agent = d.startAgent(n, 0);
      d.awaitStored(n, Duration.ofMinutes(1), agent, collector);
      StoreProbe store = d.store();
      assertEquals(0, alerts(store, SILENT), "a connected agent is not silent");

      assertEquals(143, agent.stop(), "SIGTERM: orderly stop");
      Poll.until(
          Duration.ofSeconds(60),
          () -> "no silent alert; collector log:\n" + Deployment.tail(collector.logText(), 4000),
          () -> alerts(store, SILENT) == 1);
      assertEquals(1, store.count("SELECT count(*) FROM agents WHERE silent_since_ns > 0"));

      try (Stream<Path> files = Files.walk(d.spoolDir())) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
      VigilProcess again = d.startAgent(n, 0);
      Poll.until(
          Duration.ofSeconds(60),
          () -> "no new-epoch alert; collector log:\n" + Deployment.tail(collector.logText(), 4000),
          () -> alerts(store, NEW_EPOCH) == 1);
      assertEquals(0, store.count("SELECT count(*) FROM agents WHERE silent_since_ns > 0"));
      assertEquals(1, alerts(store, SILENT), "one alert per silence");
      assertEquals(
          1,
          store.count(
              "SELECT count(*) FROM alerts a JOIN streams s ON s.stream_id = a.stream_id"
                  + " JOIN agents g ON g.agent_id = a.agent_id WHERE a.rule_id = '"
                  + NEW_EPOCH
                  + "' AND a.level = 'high' AND a.source = 'health' AND s.epoch = g.current_epoch"),
          "the new-epoch alert is high and anchored on the new stream");
      assertEquals(0, d.vigilctl("host", d.agentId()), d.lastToolLog());
      assertTrue(d.lastToolLog().contains("connected         yes"), d.lastToolLog());
      assertTrue(d.lastToolLog().contains("silent            no"), d.lastToolLog());
      again.stop();
    }
  }

  private static long alerts(StoreProbe store, String rule) {
    return store.count("SELECT count(*) FROM alerts WHERE rule_id = '" + rule + "'");
  }
}
