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
    Path state = Path.of("/var/lib/vigil/collector");
    assertEquals(state, c.stateDir());
    assertEquals(new HostPort("0.0.0.0", 7443), c.listenAddress());
    assertEquals(state.resolve("pki/server.pem"), c.tls().certFile());
    assertEquals(state.resolve("pki/server.key"), c.tls().keyFile());
    assertEquals(state.resolve("pki/ca.pem"), c.tls().caFile());
    assertEquals(List.of(), c.tls().hostnames());
    assertEquals(state.resolve("vigil.db"), c.store().path());
    assertEquals(1 << 20, c.store().maxEventBytes());
    assertEquals(4 << 20, c.ingest().maxMessageBytes());
    assertEquals(10_000, c.ingest().maxBatchEvents());
    assertEquals(50_000, c.ingest().maxEventsPerSecondPerAgent());
    assertEquals(64, c.ingest().maxQueuedBatches());
    assertEquals(20_000, c.ingest().maxEventsPerTransaction());
    assertEquals(Duration.ofMinutes(2), c.ingest().holeGrace());
    assertEquals(64L << 20, c.ingest().maxUploadBytes());
    assertEquals(4, c.ingest().maxConcurrentUploads());
    assertEquals(10L << 30, c.ingest().maxCollectedBytes());
    assertFalse(c.jsonl().enabled());
    assertEquals(state.resolve("events.jsonl"), c.jsonl().path());
    assertEquals(Optional.of(new HostPort("127.0.0.1", 9465)), c.metrics().listen());
    assertFalse(c.metrics().allowRemote());
    assertEquals(new DetectionSection(true, true, List.of()), c.detection());
    assertEquals(new EnrollmentSection(Duration.ofDays(30), 60), c.enrollment());
    assertEquals(new HostPort("127.0.0.1", 7444), c.operator().address());
    assertEquals(state.resolve("operator/admin.token"), c.operator().bootstrapTokenFile());
  }

  @Test
  void theOperatorSectionTakesAnAddressAndATokenFile() throws ConfigException {
    CollectorConfig c =
        CollectorConfig.load(
            Optional.empty(),
            Map.of("VIGIL_COLLECTOR__OPERATOR__ADDRESS", "0.0.0.0:9444"),
            List.of("operator.bootstrap_token_file=/root/vigil-admin.token"));
    assertEquals(new HostPort("0.0.0.0", 9444), c.operator().address());
    assertEquals(Path.of("/root/vigil-admin.token"), c.operator().bootstrapTokenFile());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> CollectorConfig.load(Optional.empty(), Map.of(), List.of("operator.address=x")));
    assertTrue(e.getMessage().contains("operator.address"), e.getMessage());
  }

  @Test
  void enrollmentKeysAreBoundAndBounded() throws ConfigException {
    CollectorConfig c =
        CollectorConfig.load(
            Optional.empty(),
            Map.of(),
            List.of(
                "enrollment.agent_certificate_validity=30s",
                "enrollment.max_attempts_per_minute=5"));
    assertEquals(new EnrollmentSection(Duration.ofSeconds(30), 5), c.enrollment());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                CollectorConfig.load(
                    Optional.empty(),
                    Map.of(),
                    List.of(
                        "enrollment.agent_certificate_validity=826d",
                        "enrollment.max_attempts_per_minute=0")));
    assertTrue(e.getMessage().contains("enrollment.agent_certificate_validity"), e.getMessage());
    assertTrue(e.getMessage().contains("enrollment.max_attempts_per_minute"), e.getMessage());
  }

  @Test
  void ruleDirectoriesComeFromAListOrACommaSeparatedSetting() throws ConfigException {
    CollectorConfig fromEnv =
        CollectorConfig.load(
            Optional.empty(),
            Map.of("VIGIL_COLLECTOR__DETECTION__RULE_DIRS", "/opt/sigma/rules/linux,/etc/rules"),
            List.of("detection.starter_rules=false"));
    assertEquals(
        new DetectionSection(
            true, false, List.of(Path.of("/opt/sigma/rules/linux"), Path.of("/etc/rules"))),
        fromEnv.detection());
    CollectorConfig off =
        CollectorConfig.load(Optional.empty(), Map.of(), List.of("detection.enabled=false"));
    assertFalse(off.detection().enabled());
  }

  @Test
  void aRuleDirectoryListedTwiceIsAnError() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                CollectorConfig.load(
                    Optional.empty(),
                    Map.of(),
                    List.of("detection.rule_dirs=/opt/rules,/opt/x/../rules")));
    assertEquals(
        List.of(
            "detection.rule_dirs: \"/opt/x/../rules\" is listed twice (--set detection.rule_dirs)"),
        e.problems());
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
            "detection:",
            "  rule_dir: /opt/sigma",
            "  starter_rules: maybe",
            "  rule_dirs: [/opt/a, /opt/b/../a, {x: 1}]",
            ""));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> CollectorConfig.load(Optional.of(file), Map.of(), List.of()));
    List<String> p = e.problems();
    assertEquals(10, p.size(), e.getMessage());
    assertProblem(p, "listen.adress: unknown key (did you mean \"address\"?)");
    assertProblem(p, "tls.hostnames: \"bad name\" is not a DNS name or IP address");
    assertProblem(p, "ingest.max_message_bytes: expected a size from 64KiB to 1GiB, got \"16MB\"");
    assertProblem(p, "ingest.hole_grace: expected a duration from 0");
    assertProblem(p, "ingest.max_queued_batches: expected an integer from 1 to 100000");
    assertProblem(p, "output.jsonl.enabled: expected true or false, got \"yes please\"");
    assertProblem(p, "metrics.listen: \"10.1.2.3:9465\" is not a loopback address");
    assertProblem(p, "detection.rule_dir: unknown key (did you mean \"rule_dirs\"?)");
    assertProblem(p, "detection.starter_rules: expected true or false, got \"maybe\"");
    assertProblem(p, "detection.rule_dirs[2]: expected a string");
  }

  private static void assertProblem(List<String> problems, String prefix) {
    assertTrue(
        problems.stream().anyMatch(s -> s.startsWith(prefix)),
        "no problem starting with <" + prefix + "> in:\n" + String.join("\n", problems));
  }
}
