package io.vigil.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.process.ProcessSensorOptions;
import io.vigil.common.config.ConfigException;
import io.vigil.common.config.HostPort;
import io.vigil.proto.v1.EventKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
  /** Tests run in the module directory; the samples are beside it. */
  static final Path SAMPLE = Path.of("..", "config-samples", "agent.yaml");

  @TempDir Path dir;

  @Test
  void sampleFileBindsToTheDocumentedDefaults() throws ConfigException {
    AgentConfig fromSample = AgentConfig.load(Optional.of(SAMPLE), Map.of(), List.of());
    AgentConfig builtIn = AgentConfig.load(Optional.empty(), Map.of(), List.of());
    assertEquals(builtIn, fromSample, "the sample must state the built-in defaults");

    AgentConfig c = fromSample;
    assertEquals(Path.of("/var/lib/vigil/agent"), c.stateDir());
    assertEquals(Optional.empty(), c.collector().address());
    assertEquals(
        Path.of("/var/lib/vigil/agent/pki/collector-address"), c.collector().addressFile());
    assertEquals(Path.of("/var/lib/vigil/agent/pki/agent.pem"), c.collector().certFile());
    assertEquals(Path.of("/var/lib/vigil/agent/pki/agent.key"), c.collector().keyFile());
    assertEquals(Path.of("/var/lib/vigil/agent/pki/ca.pem"), c.collector().caFile());
    assertEquals("", c.collector().serverName());
    assertEquals("gzip", c.collector().compression());
    assertEquals(Duration.ofSeconds(10), c.collector().connectTimeout());
    assertEquals(Duration.ofSeconds(30), c.collector().keepaliveTime());
    assertEquals(Duration.ofMillis(500), c.collector().reconnectInitialBackoff());
    assertEquals(Duration.ofSeconds(60), c.collector().reconnectMaxBackoff());
    assertEquals(Path.of("/var/lib/vigil/agent/spool"), c.spool().dir());
    assertEquals(1L << 30, c.spool().maxBytes());
    assertEquals(RollCycles.FIVE_MINUTELY, c.spool().rollCycle());
    assertEquals(Duration.ofHours(24), c.spool().retention());
    assertEquals(65536, c.spool().queueCapacity());
    assertEquals(1 << 20, c.spool().maxEventBytes());
    assertEquals(1000, c.shipper().batchMaxEvents());
    assertEquals(1 << 20, c.shipper().batchMaxBytes());
    assertEquals(Duration.ofMillis(50), c.shipper().batchMaxDelay());
    assertEquals(16, c.shipper().maxInFlightBatches());
    assertEquals(Duration.ofSeconds(30), c.statusInterval());
    assertEquals(Optional.of(new HostPort("127.0.0.1", 9464)), c.metrics().listen());
    assertFalse(c.metrics().allowRemote());
    assertFalse(c.synthetic().enabled());
    assertEquals(0, c.synthetic().rate());
    assertEquals(0, c.synthetic().count());
    assertEquals(1, c.synthetic().seed());
    assertEquals(
        Map.of(
            EventKind.EVENT_KIND_PROCESS_EXEC, 50,
            EventKind.EVENT_KIND_PROCESS_EXIT, 20,
            EventKind.EVENT_KIND_CONNECTION, 15,
            EventKind.EVENT_KIND_FILE, 10,
            EventKind.EVENT_KIND_DNS, 5),
        c.synthetic().mix());
    assertTrue(c.process().enabled());
    assertEquals(ProcessSection.AuditMode.AUTO, c.process().audit());
    assertEquals("vigil", c.process().auditKey());
    assertEquals(8192, c.process().auditBacklogLimit());
    assertEquals(Duration.ofSeconds(15), c.process().auditCheckInterval());
    assertEquals(32 * 1024, c.process().maxArgvBytes());
    assertEquals(64L << 20, c.process().hashMaxFileBytes());
    assertEquals(16384, c.process().tableMaxEntries());
    assertEquals(Duration.ofSeconds(1), c.process().exitSettle());
    assertEquals(Duration.ofSeconds(1), c.process().pollInterval());
    assertEquals(ProcessSensorOptions.defaults(), c.process().sensorOptions());
    assertTrue(c.network().enabled());
    assertEquals(Duration.ofSeconds(30), c.network().snapshotInterval());
    assertTrue(c.network().audit());
    assertFalse(c.packet().enabled());
    assertEquals(List.of("any"), c.packet().interfaces());
    assertEquals("", c.packet().filter());
    assertEquals(65535, c.packet().snapLength());
    assertEquals(8 << 20, c.packet().bufferBytes());
    assertTrue(c.packet().excludeCollector());
  }

  @Test
  void packetSectionBindsItsKeysAndReportsBadValuesByPath() throws ConfigException {
    AgentConfig c =
        AgentConfig.load(
            Optional.empty(),
            Map.of("VIGIL_AGENT__SENSORS__PACKET__INTERFACES", "eth0,lo"),
            List.of(
                "sensors.packet.enabled=true",
                "sensors.packet.filter=not port 22",
                "sensors.packet.snap_length=1514",
                "sensors.packet.buffer_size=32MiB",
                "sensors.packet.exclude_collector=false"));
    assertTrue(c.packet().enabled());
    assertEquals(List.of("eth0", "lo"), c.packet().interfaces());
    assertEquals("not port 22", c.packet().filter());
    assertEquals(1514, c.packet().snapLength());
    assertEquals(32 << 20, c.packet().bufferBytes());
    assertFalse(c.packet().excludeCollector());

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                AgentConfig.load(
                    Optional.empty(),
                    Map.of(),
                    List.of(
                        "sensors.packet.enabled=yes please",
                        "sensors.packet.interfaces=eth0,has/slash",
                        "sensors.packet.snap_length=10",
                        "sensors.packet.buffer_size=1KiB",
                        "sensors.packet.exclude_collector=2",
                        "sensors.packet.snaplen=100")));
    List<String> p = e.problems();
    assertEquals(6, p.size(), e.getMessage());
    assertProblem(p, "sensors.packet.enabled: expected true or false");
    assertProblem(p, "sensors.packet.interfaces: expected an interface name of 1 to 15");
    assertProblem(p, "sensors.packet.snap_length: expected an integer from 64 to");
    assertProblem(p, "sensors.packet.buffer_size: expected a size from 64KiB to");
    assertProblem(p, "sensors.packet.exclude_collector: expected true or false");
    assertProblem(p, "sensors.packet.snaplen");

    ConfigException twice =
        assertThrows(
            ConfigException.class,
            () ->
                AgentConfig.load(
                    Optional.empty(), Map.of(), List.of("sensors.packet.interfaces=lo,lo")));
    assertProblem(twice.problems(), "sensors.packet.interfaces: an interface is listed twice");

    AgentConfig ns =
        AgentConfig.load(
            Optional.empty(),
            Map.of(),
            List.of("sensors.packet.interfaces=eth0,netns:web-1/any,netns:db/veth0"));
    assertEquals(List.of("eth0", "netns:web-1/any", "netns:db/veth0"), ns.packet().interfaces());
    for (String bad : List.of("netns:web", "netns:../x/any", "netns:web/", "netns:/any")) {
      ConfigException e2 =
          assertThrows(
              ConfigException.class,
              () ->
                  AgentConfig.load(
                      Optional.empty(), Map.of(), List.of("sensors.packet.interfaces=" + bad)),
              bad);
      assertProblem(e2.problems(), "sensors.packet.interfaces: expected netns:NAME/IFACE");
    }
  }

  @Test
  void processAndNetworkSectionsBindTheirKeysAndReportBadValuesByPath() throws ConfigException {
    AgentConfig c =
        AgentConfig.load(
            Optional.empty(),
            Map.of("VIGIL_AGENT__SENSORS__PROCESS__AUDIT", "off"),
            List.of(
                "sensors.process.max_argv_bytes=64KiB",
                "sensors.process.exit_settle=250ms",
                "sensors.process.audit_key=vigil-x",
                "sensors.process.audit_check_interval=5s",
                "sensors.network.snapshot_interval=5s",
                "sensors.network.audit=false"));
    assertEquals(ProcessSection.AuditMode.OFF, c.process().audit());
    assertFalse(c.process().sensorOptions().auditEnabled());
    assertEquals(64 * 1024, c.process().maxArgvBytes());
    assertEquals(Duration.ofMillis(250), c.process().exitSettle());
    assertEquals("vigil-x", c.process().auditKey());
    assertEquals(Duration.ofSeconds(5), c.process().auditCheckInterval());
    assertEquals(Duration.ofSeconds(5), c.network().snapshotInterval());
    assertFalse(c.network().audit());

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                AgentConfig.load(
                    Optional.empty(),
                    Map.of(),
                    List.of(
                        "sensors.process.audit=always",
                        "sensors.process.max_argv_bytes=100",
                        "sensors.process.audit_key=has space",
                        "sensors.process.poll_interval=soon",
                        "sensors.process.table_max_entries=10",
                        "sensors.process.audit_check_interval=100ms",
                        "sensors.network.enabled=maybe",
                        "sensors.network.snapshot_interval=0s")));
    List<String> p = e.problems();
    assertEquals(8, p.size(), e.getMessage());
    assertProblem(p, "sensors.process.audit: expected one of auto, off, got \"always\"");
    assertProblem(p, "sensors.process.max_argv_bytes: expected a size from 1KiB to");
    assertProblem(p, "sensors.process.audit_key: expected 1 to 31 of");
    assertProblem(p, "sensors.process.poll_interval: expected a duration from 100ms to");
    assertProblem(p, "sensors.process.table_max_entries: expected an integer from 1024 to");
    assertProblem(p, "sensors.process.audit_check_interval: expected a duration from 1s to");
    assertProblem(p, "sensors.network.enabled: expected true or false");
    assertProblem(p, "sensors.network.snapshot_interval: expected a duration from 1s to");
  }

  @Test
  void badConfigReportsEveryMistakeWithItsPath() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "agent:",
            "  state_dir: /tmp/vigil",
            "collector:",
            "  address: collector.example:7443",
            "  compression: zip",
            "spool:",
            "  max_bytes: lots",
            "  roll_cycle: SOMETIMES",
            "  retention: a while",
            "shipper:",
            "  batch_max_events: many",
            "metrics:",
            "  listen: 0.0.0.0:9464",
            "sensors:",
            "  synthetc:",
            "    enabled: true",
            ""));
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> AgentConfig.load(Optional.of(file), Map.of(), List.of()));
    List<String> p = e.problems();
    assertEquals(7, p.size(), e.getMessage());
    assertProblem(p, "collector.compression: expected one of gzip, none, got \"zip\"");
    assertProblem(p, "spool.max_bytes: expected a size like 512MiB, got \"lots\"");
    assertProblem(p, "spool.roll_cycle: unknown Chronicle roll cycle \"SOMETIMES\"");
    assertProblem(p, "spool.retention: expected a duration from 1s to 3650d, got \"a while\"");
    assertProblem(p, "shipper.batch_max_events: expected an integer from 1 to 100000, got");
    assertProblem(p, "metrics.listen: \"0.0.0.0:9464\" is not a loopback address");
    assertProblem(p, "sensors.synthetc: unknown key (did you mean \"synthetic\"?)");
    assertTrue(p.get(1).contains("bad.yaml:7:14"), p.get(1));
  }

  @Test
  void yamlSyntaxErrorIsReportedWithPosition() throws IOException {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "spool:\n  max_bytes: 1GiB\n   roll_cycle: FAST_HOURLY\n");
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> AgentConfig.load(Optional.of(file), Map.of(), List.of()));
    assertTrue(e.getMessage().contains("broken.yaml:3:"), e.getMessage());
    assertTrue(e.getMessage().contains("YAML syntax error"), e.getMessage());
  }

  @Test
  void environmentOverridesFileAndSetOverridesEnvironment() throws Exception {
    Path file = dir.resolve("agent.yaml");
    Files.writeString(
        file, "agent:\n  state_dir: " + dir + "\nspool:\n  max_bytes: 256MiB\n  retention: 1h\n");
    AgentConfig c =
        AgentConfig.load(
            Optional.of(file),
            Map.of("VIGIL_AGENT__SPOOL__MAX_BYTES", "2GiB", "VIGIL_AGENT__SPOOL__RETENTION", "2h"),
            List.of("spool.retention=3h", "spool.roll_cycle=TEST_SECONDLY"));
    assertEquals(2L << 30, c.spool().maxBytes());
    assertEquals(Duration.ofHours(3), c.spool().retention());
    assertEquals(TestRollCycles.TEST_SECONDLY, c.spool().rollCycle());
    assertEquals(dir.resolve("spool"), c.spool().dir(), "spool dir derives from state_dir");
  }

  @Test
  void crossFieldRulesAreChecked() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                AgentConfig.load(
                    Optional.empty(),
                    Map.of(),
                    List.of(
                        "collector.reconnect_initial_backoff=10s",
                        "collector.reconnect_max_backoff=1s",
                        "spool.max_event_bytes=2MiB",
                        "sensors.synthetic.enabled=true",
                        "sensors.synthetic.mix.dns=0",
                        "sensors.synthetic.mix.dsn=1")));
    List<String> p = e.problems();
    assertEquals(4, p.size(), e.getMessage());
    assertProblem(p, "collector.reconnect_max_backoff: must be at least");
    assertProblem(p, "shipper.batch_max_bytes: must be at least spool.max_event_bytes");
    assertProblem(p, "sensors.synthetic.mix.dsn: unknown key (did you mean \"dns\"?)");
    assertProblem(p, "sensors.synthetic.mix: needs at least one kind");
  }

  @Test
  void explicitServerNameAndMixReplaceDefaults() throws ConfigException {
    AgentConfig c =
        AgentConfig.load(
            Optional.empty(),
            Map.of(),
            List.of(
                "collector.address=10.0.0.5:7443",
                "collector.server_name=collector.example",
                "sensors.synthetic.mix.flow=3",
                "metrics.listen="));
    assertEquals("collector.example", c.collector().serverName());
    assertEquals(Map.of(EventKind.EVENT_KIND_FLOW, 3), c.synthetic().mix());
    assertEquals(Optional.empty(), c.metrics().listen());
  }

  @Test
  void rollCycleNamesComeFromChronicleEnums() {
    assertEquals(RollCycles.FAST_HOURLY, RollCycleNames.find("FAST_HOURLY").orElseThrow());
    assertEquals(TestRollCycles.TEST_SECONDLY, RollCycleNames.find("TEST_SECONDLY").orElseThrow());
    assertTrue(RollCycleNames.find("fast_hourly").isEmpty());
    assertTrue(RollCycleNames.all().size() >= RollCycles.values().length);
  }

  @Test
  void responseSectionBindsItsKeysAndReportsBadValuesByPath() throws ConfigException {
    AgentConfig c =
        AgentConfig.load(
            Optional.empty(),
            Map.of(),
            List.of(
                "response.isolation.allow=10.0.0.2 udp/53,10.0.0.0/24 tcp/22,* udp/123,dhcp,fd00::5",
                "response.isolation.verify_timeout=3s",
                "response.table=vigil_test",
                "response.protected_paths=/opt/app",
                "response.collect.max_bytes=1MiB"));
    assertEquals(5, c.response().isolationAllow().size());
    assertTrue(c.response().isolationAllow().get(3).dhcp());
    assertEquals(128, c.response().isolationAllow().get(4).prefix());
    assertEquals(java.time.Duration.ofSeconds(3), c.response().verifyTimeout());
    assertEquals("vigil_test", c.response().table());
    assertEquals(List.of(Path.of("/opt/app")), c.response().protectedPaths());
    assertEquals(1 << 20, c.response().collectMaxBytes());
    assertEquals(c.stateDir().resolve("quarantine"), c.response().vault());

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                AgentConfig.load(
                    Optional.empty(),
                    Map.of(),
                    List.of(
                        "response.isolation.allow=jump.example.com tcp/22,10.0.0.1/33,* ,*"
                            + " tcp/70000",
                        "response.table=Vigil-Table",
                        "response.protected_paths=relative/path",
                        "response.isolation.verify_timeout=10ms",
                        "response.colect.max_bytes=1MiB")));
    List<String> p = e.problems();
    assertProblem(p, "response.isolation.allow: item 0: \"jump.example.com tcp/22\"");
    assertProblem(p, "response.isolation.allow: item 1: \"10.0.0.1/33\": prefix /33");
    assertProblem(p, "response.isolation.allow: item 2: \"*\": * allows every peer only");
    assertProblem(p, "response.isolation.allow: item 3: \"* tcp/70000\": port 70000");
    assertProblem(p, "response.table: expected [a-z]");
    assertProblem(p, "response.protected_paths: \"relative/path\" is not an absolute path");
    assertProblem(p, "response.isolation.verify_timeout");
    assertProblem(p, "response.colect");
  }

  private static void assertProblem(List<String> problems, String prefix) {
    assertTrue(
        problems.stream().anyMatch(s -> s.startsWith(prefix)),
        "no problem starting with <" + prefix + "> in:\n" + String.join("\n", problems));
  }
}
