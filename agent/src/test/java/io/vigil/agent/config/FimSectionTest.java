package io.vigil.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.fim.IntegritySensor;
import io.vigil.common.config.ConfigException;
import io.vigil.common.config.ConfigLoader;
import io.vigil.common.config.ConfigNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FimSectionTest {
  @TempDir Path dir;

  private static FimSection bind(Optional<Path> file, List<String> sets) throws ConfigException {
    ConfigNode root = ConfigLoader.load(file, Map.of(), AgentConfig.ENV_PREFIX, sets);
    FimSection s = FimSection.bind(root.child("sensors").child("fim"));
    root.finish();
    return s;
  }

  private static List<String> problems(String... sets) {
    return assertThrows(ConfigException.class, () -> bind(Optional.empty(), List.of(sets)))
        .problems();
  }

  @Test
  void defaults() throws ConfigException {
    FimSection s = bind(Optional.empty(), List.of());
    assertTrue(s.enabled());
    assertEquals(
        List.of(
            "/etc",
            "/usr/bin",
            "/usr/sbin",
            "/usr/local/bin",
            "/usr/local/sbin",
            "/usr/lib/systemd/system",
            "/etc/systemd",
            "/boot",
            "/root/.ssh",
            "/home/*/.ssh",
            "/var/spool/cron"),
        s.paths());
    assertEquals(List.of("/etc/mtab", "/etc/adjtime", "/etc/ld.so.cache"), s.exclude());
    assertEquals(Duration.ofHours(1), s.rescanInterval());
    assertEquals(64L << 20, s.maxFileBytes());
    assertEquals(50_000, s.maxFiles());
    assertEquals(64L << 20, s.hashRate());

    IntegritySensor.Options o =
        s.sensorOptions(Path.of("/var/lib/vigil/agent"), Path.of("/var/spool/vigil"));
    assertEquals(s.paths(), o.paths());
    assertEquals(s.exclude(), o.excludes());
    assertEquals(Duration.ofHours(1), o.rescanInterval());
    assertEquals(64L << 20, o.maxFileBytes());
    assertEquals(50_000, o.maxFiles());
    assertEquals(64L << 20, o.hashBytesPerSecond());
    assertEquals(Path.of("/var/lib/vigil/agent"), o.stateDir());
    assertEquals(1000, o.entriesPerPart());
    assertEquals(List.of(Path.of("/var/spool/vigil")), o.ownPaths(), "the spool is left out");
  }

  @Test
  void atMost256PatternsPerList() throws ConfigException {
    List<String> many = new java.util.ArrayList<>();
    for (int i = 0; i < 257; i++) {
      many.add("/p" + i);
    }
    String list = String.join(",", many);
    assertProblem(problems("sensors.fim.paths=" + list), "sensors.fim.paths: at most 256 paths");
    assertProblem(
        problems("sensors.fim.exclude=" + list), "sensors.fim.exclude: at most 256 paths");
    List<String> max = many.subList(0, 256);
    FimSection s =
        bind(
            Optional.empty(),
            List.of("sensors.fim.paths=" + String.join(",", max), "sensors.fim.exclude=/p1"));
    assertEquals(max, s.paths());
  }

  @Test
  void bindsEveryKeyFromAFile() throws IOException, ConfigException {
    Path yaml = dir.resolve("agent.yaml");
    Files.writeString(
        yaml,
        String.join(
            "\n",
            "sensors:",
            "  fim:",
            "    enabled: false",
            "    paths: [/etc, '/srv/*/conf', /opt/app?]",
            "    exclude: [/etc/mtab]",
            "    rescan_interval: 15m",
            "    max_file_bytes: 1MiB",
            "    max_files: 5000",
            "    hash_rate: 0",
            ""));
    FimSection s = bind(Optional.of(yaml), List.of());
    assertFalse(s.enabled());
    assertEquals(List.of("/etc", "/srv/*/conf", "/opt/app?"), s.paths());
    assertEquals(List.of("/etc/mtab"), s.exclude());
    assertEquals(Duration.ofMinutes(15), s.rescanInterval());
    assertEquals(1L << 20, s.maxFileBytes());
    assertEquals(5000, s.maxFiles());
    assertEquals(0, s.hashRate(), "0: no limit");
    FimSection viaSet = bind(Optional.empty(), List.of("sensors.fim.exclude=/a,/b/*"));
    assertEquals(List.of("/a", "/b/*"), viaSet.exclude());
  }

  @Test
  void eachBadValueIsReportedByItsKeyPath() {
    List<String> p =
        problems(
            "sensors.fim.paths=etc,/usr/../bin,/a//b,/c/,/d/./e",
            "sensors.fim.exclude=/x,/x",
            "sensors.fim.rescan_interval=500ms",
            "sensors.fim.max_file_bytes=10",
            "sensors.fim.max_files=0",
            "sensors.fim.hash_rate=1KiB",
            "sensors.fim.enabled=sometimes",
            "sensors.fim.rescan=1h");
    assertProblem(p, "sensors.fim.paths: expected an absolute path, got \"etc\"");
    assertProblem(p, "sensors.fim.paths: expected no . or .. component, got \"/usr/../bin\"");
    assertProblem(p, "sensors.fim.paths: expected no empty component (//), got \"/a//b\"");
    assertProblem(p, "sensors.fim.paths: expected no trailing /, got \"/c/\"");
    assertProblem(p, "sensors.fim.paths: expected no . or .. component, got \"/d/./e\"");
    assertProblem(p, "sensors.fim.exclude: a path is listed twice");
    assertProblem(p, "sensors.fim.rescan_interval: expected a duration from 1s to 7d");
    assertProblem(p, "sensors.fim.max_file_bytes: expected a size from 1KiB to");
    assertProblem(p, "sensors.fim.max_files: expected an integer from 1 to");
    assertProblem(p, "sensors.fim.hash_rate: expected 0 (no limit) or at least 1MiB");
    assertProblem(p, "sensors.fim.enabled: expected true or false");
    assertProblem(p, "sensors.fim.rescan");
    assertEquals(12, p.size(), p.toString());

    assertProblem(
        problems("sensors.fim.paths=/ok,/ba\u0001d"),
        "sensors.fim.paths: control characters are not allowed in a path, got \"/ba\\u0001d\"");
    assertProblem(
        problems("sensors.fim.paths=/" + "a".repeat(5000)),
        "sensors.fim.paths: a path of at most 4096 characters");
    assertProblem(problems("sensors.fim.max_file_bytes=20GiB"), "sensors.fim.max_file_bytes");
    assertProblem(problems("sensors.fim.rescan_interval=8d"), "sensors.fim.rescan_interval");
  }

  @Test
  void theRootAndWildcardsAreValidPatterns() {
    assertTrue(FimSection.problem("/").isEmpty());
    assertTrue(FimSection.problem("/home/*/.ssh").isEmpty());
    assertTrue(FimSection.problem("/etc/cron.?").isEmpty());
    assertTrue(FimSection.problem("/..x/y..").isEmpty(), "dots inside a name are fine");
  }

  private static void assertProblem(List<String> problems, String start) {
    assertTrue(
        problems.stream().anyMatch(s -> s.startsWith(start)),
        "no problem starting with \"" + start + "\" in " + problems);
  }
}
