package io.vigil.collector.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.config.ConfigException;
import io.vigil.common.config.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorConfigTest {
  /** Tests run in the module directory; the samples are beside it. */
  static final Path SAMPLE = Path.of("..", "config-samples", "collector.yaml");

  @TempDir Path dir;

  @Test
  void sampleFileBindsToTheDocumentedDefaults() throws ConfigException {
    CollectorConfig fromSample = CollectorConfig.load(Optional.of(SAMPLE), Map.of(), List.of());
    CollectorConfig builtIn = CollectorConfig.load(Optional.empty(), Map.of(), List.of());
    assertEquals(builtIn, fromSample, "the sample must state the built-in defaults");

    CollectorConfig c = fromSample;
    Path state = Path.of("/var/lib/vigil-collector");
    assertEquals(state, c.stateDir());
    assertEquals(new HostPort("0.0.0.0", 7443), c.listenAddress());
    assertEquals(state.resolve("pki/server.pem"), c.tls().certFile());
    assertEquals(state.resolve("pki/server.key"), c.tls().keyFile());
    assertEquals(state.resolve("pki/ca.pem"), c.tls().caFile());
    assertEquals(List.of(), c.tls().hostnames());
    assertEquals(state.resolve("vigil.db"), c.store().path());
    assertEquals(1 << 20, c.store().maxEventBytes());
    assertEquals(16 << 20, c.ingest().maxMessageBytes());
    assertEquals(64, c.ingest().maxQueuedBatches());
    assertEquals(20_000, c.ingest().maxEventsPerTransaction());
    assertEquals(Duration.ofMinutes(2), c.ingest().holeGrace());
    assertFalse(c.jsonl().enabled());
    assertEquals(state.resolve("events.jsonl"), c.jsonl().path());
    assertEquals(Optional.of(new HostPort("127.0.0.1", 9465)), c.metrics().listen());
    assertFalse(c.metrics().allowRemote());
  }

  @Test
  void derivedPathsFollowStateDirAndExplicitOnesWin() throws ConfigException {
    CollectorConfig c =
        CollectorConfig.load(
            Optional.empty(),
            Map.of("VIGIL_COLLECTOR__COLLECTOR__STATE_DIR", dir.toString()),
            List.of("tls.key_file=/secure/key.pem", "tls.hostnames=collector.example,10.0.0.5"));
    assertEquals(dir.resolve("pki/server.pem"), c.tls().certFile());
    assertEquals(Path.of("/secure/key.pem"), c.tls().keyFile());
    assertEquals(dir.resolve("vigil.db"), c.store().path());
    assertEquals(List.of("collector.example", "10.0.0.5"), c.tls().hostnames());
  }

  @Test
  void badConfigReportsEveryMistakeWithItsPath() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "listen:",
            "  adress: 0.0.0.0:7443",
            "tls:",
            "  hostnames: [ok.example, 'bad name']",
            "ingest:",
            "  max_message_bytes: 16MB",
            "  hole_grace: 2 minutes",
            "  max_queued_batches: -1",
            "output:",
            "  jsonl:",
            "    enabled: yes please",
            "metrics:",
            "  listen: 10.1.2.3:9465",
            ""));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> CollectorConfig.load(Optional.of(file), Map.of(), List.of()));
    List<String> p = e.problems();
    assertEquals(7, p.size(), e.getMessage());
    assertProblem(p, "listen.adress: unknown key (did you mean \"address\"?)");
    assertProblem(p, "tls.hostnames: \"bad name\" is not a DNS name or IP address");
    assertProblem(p, "ingest.max_message_bytes: expected a size from 64KiB to 1GiB, got \"16MB\"");
    assertProblem(p, "ingest.hole_grace: expected a duration from 0");
    assertProblem(p, "ingest.max_queued_batches: expected an integer from 1 to 100000");
    assertProblem(p, "output.jsonl.enabled: expected true or false, got \"yes please\"");
    assertProblem(p, "metrics.listen: \"10.1.2.3:9465\" is not a loopback address");
  }

  private static void assertProblem(List<String> problems, String prefix) {
    assertTrue(
        problems.stream().anyMatch(s -> s.startsWith(prefix)),
        "no problem starting with <" + prefix + "> in:\n" + String.join("\n", problems));
  }
}
