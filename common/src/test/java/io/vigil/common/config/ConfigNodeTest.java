package io.vigil.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigNodeTest {
  @TempDir Path dir;

  private ConfigNode yaml(String text) throws IOException {
    Path file = dir.resolve("test.yaml");
    Files.writeString(file, text);
    return ConfigLoader.load(Optional.of(file), Map.of(), "VIGIL_TEST__", List.of());
  }

  @Test
  void typedGettersReadValuesAndFallBackToDefaultsWhenAbsent() throws Exception {
    ConfigNode root =
        yaml(
            "a:\n  s: hello\n  n: 42\n  b: true\n  d: 1.5\n  size: 64MiB\n  t: 250ms\n"
                + "  hp: example.org:443\n  list: [x, y]\n  mode: fast\n  empty:\n");
    ConfigNode a = root.child("a");
    assertEquals("hello", a.string("s", "def"));
    assertEquals(42, a.intValue("n", 0, 0, 100));
    assertTrue(a.bool("b", false));
    assertEquals(1.5, a.number("d", 0, 0, 10));
    assertEquals(64L << 20, a.bytes("size", "1KiB"));
    assertEquals(Duration.ofMillis(250), a.duration("t", "1s"));
    assertEquals(new HostPort("example.org", 443), a.hostPort("hp", "x:1"));
    assertEquals(List.of("x", "y"), a.stringList("list", List.of()));
    assertEquals("fast", a.oneOf("mode", "slow", Set.of("fast", "slow")));
    assertEquals("dflt", a.string("empty", "dflt"));
    assertEquals(7, a.longValue("missing", 7));
    assertEquals(Duration.ofDays(7), a.duration("missing_t", "7d"));
    assertEquals(Optional.empty(), a.optionalPath("missing_p"));
    root.finish();
  }

  @Test
  void everyProblemIsReportedWithItsPathInsteadOfStoppingAtTheFirst() throws IOException {
    ConfigNode root =
        yaml(
            "spool:\n  max_bytes: lots\n  retention: forever\n  queue_capacity: 0\n"
                + "sensors:\n  synthetc: {enabled: true}\n  synthetic:\n    enabled: maybe\n");
    ConfigNode spool = root.child("spool");
    assertEquals(1L << 30, spool.bytes("max_bytes", "1GiB"));
    assertEquals(Duration.ofHours(24), spool.duration("retention", "24h"));
    assertEquals(16, spool.intValue("queue_capacity", 16, 1, 1024));
    ConfigNode synthetic = root.child("sensors").child("synthetic");
    assertFalse(synthetic.bool("enabled", false));

    ConfigException e = assertThrows(ConfigException.class, root::finish);
    List<String> p = e.problems();
    assertEquals(5, p.size(), e.getMessage());
    assertTrue(
        p.get(0).startsWith("spool.max_bytes: expected a size like 512MiB, got \"lots\""),
        p.get(0));
    assertTrue(p.get(0).endsWith("(" + dir.resolve("test.yaml") + ":2:14)"), p.get(0));
    assertTrue(p.get(1).startsWith("spool.retention: expected a duration"), p.get(1));
    assertTrue(
        p.get(2).startsWith("spool.queue_capacity: expected an integer from 1 to 1024, got \"0\""));
    assertTrue(p.get(3).startsWith("sensors.synthetic.enabled: expected true or false"));
    assertTrue(
        p.get(4).startsWith("sensors.synthetc: unknown key (did you mean \"synthetic\"?)"),
        p.get(4));
    assertEquals(String.join("\n", p), e.getMessage());
  }

  @Test
  void wrongShapesAreReportedNotThrown() throws IOException {
    ConfigNode root = yaml("a: [1, 2]\nb: {x: 1}\nc: 5\nl: {k: v}\n");
    assertEquals("d", root.string("a", "d"));
    assertEquals(3, root.intValue("b", 3, 0, 10));
    assertTrue(root.child("c").string("x", "y").equals("y"));
    assertEquals(List.of(), root.stringList("l", List.of()));
    ConfigException e = assertThrows(ConfigException.class, root::finish);
    assertEquals(4, e.problems().size(), e.getMessage());
    assertTrue(e.getMessage().contains("a: expected a string, got a list"));
    assertTrue(e.getMessage().contains("b: expected an integer from 0 to 10, got a mapping"));
    assertTrue(e.getMessage().contains("c: expected a mapping of keys, got \"5\""));
    assertTrue(e.getMessage().contains("l: expected a list of strings, got a mapping"));
  }

  @Test
  void environmentOverridesFileAndSetOverridesEnvironment() throws IOException {
    Path file = dir.resolve("layers.yaml");
    Files.writeString(file, "spool:\n  max_bytes: 1GiB\n  dir: /from/file\n  roll: A\n");
    Map<String, String> env =
        Map.of(
            "VIGIL_AGENT__SPOOL__MAX_BYTES", "2GiB",
            "VIGIL_AGENT__SPOOL__DIR", "/from/env",
            "VIGIL_OTHER__SPOOL__DIR", "/ignored",
            "PATH", "/usr/bin");
    ConfigNode root =
        ConfigLoader.load(
            Optional.of(file),
            env,
            "VIGIL_AGENT__",
            List.of("spool.dir=/from/set", "spool.dir=/from/second-set"));
    ConfigNode spool = root.child("spool");
    assertEquals(2L << 30, spool.bytes("max_bytes", "64MiB"));
    assertEquals(Path.of("/from/second-set"), spool.path("dir", "/default"));
    assertEquals("A", spool.string("roll", "B"));
    assertDoesNotThrow(root);
  }

  @Test
  void environmentAndSetCreateSectionsAbsentFromTheFileAndAreTypeCheckedAsStrings() {
    ConfigNode root =
        ConfigLoader.load(
            Optional.empty(),
            Map.of("VIGIL_AGENT__SENSORS__SYNTHETIC__MIX__DNS", "7"),
            "VIGIL_AGENT__",
            List.of("shipper.batch_max_delay=soon", "tls.hostnames=a.example, b.example,"));
    Map<String, Integer> mix =
        root.child("sensors")
            .child("synthetic")
            .intMap("mix", Map.of("file", 1), Set.of("dns", "file"), 0, 100);
    assertEquals(Map.of("dns", 7), mix);
    assertEquals(
        List.of("a.example", "b.example"), root.child("tls").stringList("hostnames", List.of()));
    root.child("shipper").duration("batch_max_delay", "50ms");
    ConfigException e = assertThrows(ConfigException.class, root::finish);
    assertEquals(
        List.of(
            "shipper.batch_max_delay: expected a duration like 5s or 100ms, got \"soon\""
                + " (--set shipper.batch_max_delay)"),
        e.problems());
  }

  @Test
  void unknownKeysFromEnvironmentNameTheVariable() {
    ConfigNode root =
        ConfigLoader.load(
            Optional.empty(),
            Map.of("VIGIL_AGENT__SPOOL__MAX_BYTE", "1g"),
            "VIGIL_AGENT__",
            List.of());
    root.child("spool").bytes("max_bytes", "1GiB");
    ConfigException e = assertThrows(ConfigException.class, root::finish);
    assertEquals(
        "spool.max_byte: unknown key (did you mean \"max_bytes\"?)"
            + " (environment variable VIGIL_AGENT__SPOOL__MAX_BYTE)",
        e.getMessage());
  }

  @Test
  void malformedSetFlagsAndEnvironmentNamesAreProblems() {
    ConfigNode root =
        ConfigLoader.load(
            Optional.empty(),
            Map.of("VIGIL_AGENT__SPOOL____X", "1"),
            "VIGIL_AGENT__",
            List.of("novalue", "Bad.Key=1", "=3"));
    ConfigException e = assertThrows(ConfigException.class, root::finish);
    assertEquals(4, e.problems().size(), e.getMessage());
    assertTrue(e.problems().get(0).startsWith("environment variable VIGIL_AGENT__SPOOL____X"));
    assertTrue(e.problems().get(1).startsWith("--set \"novalue\": expected key.path=value"));
  }

  @Test
  void missingFileIsAProblemNamingThePath() {
    Path missing = dir.resolve("nope.yaml");
    ConfigNode root = ConfigLoader.load(Optional.of(missing), Map.of(), "X__", List.of());
    ConfigException e = assertThrows(ConfigException.class, root::finish);
    assertEquals(List.of(missing + ": configuration file not found"), e.problems());
  }

  @Test
  void yamlSyntaxErrorIsReportedWithLineAndColumn() throws IOException {
    ConfigNode root = yaml("a:\n  b: 1\n  c: [unclosed\nd: 2\n");
    ConfigException e = assertThrows(ConfigException.class, root::finish);
    assertEquals(1, e.problems().size(), e.getMessage());
    assertTrue(
        e.getMessage().matches(".*test\\.yaml:\\d+:\\d+: YAML syntax error: .*"), e.getMessage());
  }

  @Test
  void duplicateKeysAreRejected() throws IOException {
    ConfigNode root = yaml("a:\n  b: 1\n  b: 2\n");
    root.child("a").intValue("b", 0, 0, 9);
    ConfigException e = assertThrows(ConfigException.class, root::finish);
    assertTrue(
        e.getMessage().startsWith("a.b: duplicate key (" + dir.resolve("test.yaml") + ":3:3)"));
  }

  @Test
  void aliasBombIsRefusedInsteadOfExpanded() throws IOException {
    StringBuilder sb = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    char prev = 'a';
    for (char c = 'b'; c <= 'k'; c++) {
      sb.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 10; i++) {
        sb.append(i == 0 ? "" : ", ").append('*').append(prev);
      }
      sb.append("]\n");
      prev = c;
    }
    ConfigNode root = yaml(sb.toString());
    ConfigException e = assertThrows(ConfigException.class, root::finish);
    assertTrue(e.getMessage().contains("YAML"), e.getMessage());
  }

  @Test
  void nonLoopbackMetricsNeedsAllowRemote() {
    ConfigNode root =
        ConfigLoader.load(
            Optional.empty(), Map.of(), "X__", List.of("metrics.listen=0.0.0.0:9464"));
    MetricsSection m = MetricsSection.bind(root.child("metrics"), "127.0.0.1:9464");
    assertFalse(m.allowRemote());
    ConfigException e = assertThrows(ConfigException.class, root::finish);
    assertTrue(
        e.getMessage()
            .startsWith(
                "metrics.listen: \"0.0.0.0:9464\" is not a loopback address;"
                    + " set metrics.allow_remote: true"),
        e.getMessage());

    ConfigNode allowed =
        ConfigLoader.load(
            Optional.empty(),
            Map.of(),
            "X__",
            List.of("metrics.listen=0.0.0.0:9464", "metrics.allow_remote=true"));
    assertTrue(MetricsSection.bind(allowed.child("metrics"), "127.0.0.1:9464").allowRemote());
    assertDoesNotThrow(allowed);

    ConfigNode disabled =
        ConfigLoader.load(Optional.empty(), Map.of(), "X__", List.of("metrics.listen="));
    assertEquals(
        Optional.empty(), MetricsSection.bind(disabled.child("metrics"), "127.0.0.1:1").listen());
  }

  @Test
  void oneOfSuggestsTheNearestAllowedValue() {
    ConfigNode root = ConfigLoader.load(Optional.empty(), Map.of(), "X__", List.of("c=gzp"));
    assertEquals("gzip", root.oneOf("c", "gzip", Set.of("gzip", "none")));
    ConfigException e = assertThrows(ConfigException.class, root::finish);
    assertEquals(
        "c: expected one of gzip, none, got \"gzp\" (did you mean \"gzip\"?) (--set c)",
        e.getMessage());
  }

  private static void assertDoesNotThrow(ConfigNode root) {
    try {
      root.finish();
    } catch (ConfigException e) {
      throw new AssertionError("unexpected problems:\n" + e.getMessage(), e);
    }
  }

  @Test
  void childrenEnumerateAMappingOfNamedSectionsInFileOrderAndReportUnknownKeysInside()
      throws IOException {
    ConfigNode root =
        yaml(
            "sinks:\n  zeta:\n    type: a\n  alpha:\n    type: b\n    colour: red\n"
                + "  broken: 3\n  empty:\n");
    Map<String, ConfigNode> sinks = root.child("x").children("missing");
    assertTrue(sinks.isEmpty());
    sinks = root.children("sinks");
    assertEquals(List.of("zeta", "alpha", "empty"), List.copyOf(sinks.keySet()));
    assertEquals("sinks.alpha", sinks.get("alpha").path());
    assertEquals("a", sinks.get("zeta").string("type", ""));
    assertEquals("b", sinks.get("alpha").string("type", ""));
    assertEquals("none", sinks.get("empty").string("type", "none"));
    ConfigException e = assertThrows(ConfigException.class, root::finish);
    assertEquals(2, e.problems().size(), e.getMessage());
    assertTrue(e.problems().get(0).startsWith("sinks.broken: expected a mapping"), e.getMessage());
    assertTrue(e.problems().get(1).startsWith("sinks.alpha.colour: unknown key"), e.getMessage());
  }

  @Test
  void stringMapReadsNamesToStringsAndNamesANonStringValue() throws IOException {
    ConfigNode root = yaml("h:\n  X-Token: abc\n  X-Id: 7\n  Bad: [1]\nnot_map: 3\n");
    assertEquals(Map.of("X-Token", "abc", "X-Id", "7"), root.stringMap("h"));
    assertEquals(Map.of(), root.stringMap("not_map"));
    assertEquals(Map.of(), root.stringMap("absent"));
    ConfigException e = assertThrows(ConfigException.class, root::finish);
    assertEquals(2, e.problems().size(), e.getMessage());
    assertTrue(e.problems().get(0).startsWith("h.Bad: expected a string"), e.getMessage());
    assertTrue(e.problems().get(1).startsWith("not_map: expected a mapping"), e.getMessage());
  }
}
