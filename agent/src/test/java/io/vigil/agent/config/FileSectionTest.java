package io.vigil.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.file.FileSensor;
import io.vigil.common.config.ConfigException;
import io.vigil.common.config.ConfigLoader;
import io.vigil.common.config.ConfigNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sensors.file.*}: defaults, overrides, and every validation rule reported by key path. */
class FileSectionTest {
  @TempDir Path dir;

  private static FileSection bind(Optional<Path> file, String... sets) throws ConfigException {
    ConfigNode root = ConfigLoader.load(file, Map.of(), AgentConfig.ENV_PREFIX, List.of(sets));
    FileSection s = FileSection.bind(root.child("sensors").child("file"));
    root.finish();
    return s;
  }

  private static List<String> problems(String... sets) {
    return assertThrows(ConfigException.class, () -> bind(Optional.empty(), sets)).problems();
  }

  private static void assertOneProblem(String expected, String... sets) {
    List<String> p = problems(sets);
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith(expected), p.get(0));
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() throws ConfigException {
    FileSection s = bind(Optional.empty());
    assertTrue(s.enabled());
    assertTrue(s.fanotify());
    assertEquals(
        List.of(
            "/etc",
            "/usr/bin",
            "/usr/sbin",
            "/usr/local/bin",
            "/usr/local/sbin",
            "/usr/lib/systemd",
            "/var/spool/cron",
            "/root",
            "/home/*/.ssh",
            "/tmp",
            "/var/tmp",
            "/dev/shm",
            "/boot",
            "/usr/lib/*/security"),
        s.watch());
    assertEquals(List.of("/root/.cache"), s.exclude());
    assertEquals(
        List.of("/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/root/.ssh", "/home/*/.ssh"),
        s.opened());
    assertEquals(Duration.ofSeconds(1), s.coalesceWindow());
    assertEquals(20_000, s.maxEventsPerSecond());
    assertEquals(10, s.maxEventsPerPathPerWindow());
    assertEquals(65_536, s.queueCapacity());
    assertEquals(16_384, s.maxPendingPaths());
    assertTrue(s.hashExecutables());
    assertEquals(64L << 20, s.hashMaxBytes());
    assertEquals(
        List.of(
            "/usr/bin",
            "/usr/sbin",
            "/usr/local/bin",
            "/usr/local/sbin",
            "/bin",
            "/sbin",
            "/usr/lib/systemd",
            "/boot"),
        s.binaryDirs());
    assertEquals(65_536, s.maxWatches());
    List<Path> own =
        List.of(Path.of("/var/lib/vigil/agent"), Path.of("/var/lib/vigil/agent/spool"));
    assertEquals(FileSensor.Options.defaults(own), s.sensorOptions(own));
  }

  @Test
  void everyKeyCanBeSetAndPathsAreNormalized() throws IOException, ConfigException {
    Path file = dir.resolve("agent.yaml");
    Files.writeString(
        file,
        String.join(
            "\n",
            "sensors:",
            "  file:",
            "    enabled: false",
            "    fanotify: false",
            "    watch: [/srv/app//, /home/*/.config/autostart]",
            "    exclude: [/srv/app/cache]",
            "    opened: []",
            "    coalesce_window: 250ms",
            "    max_events_per_second: 5000",
            "    max_events_per_path_per_window: 3",
            "    queue_capacity: 16",
            "    max_pending_paths: 64",
            "    hash_executables: false",
            "    hash_max_bytes: 1MiB",
            "    binary_dirs: [/opt/bin]",
            "    max_watches: 100",
            ""));
    FileSection s = bind(Optional.of(file));
    assertFalse(s.enabled());
    assertFalse(s.fanotify());
    assertEquals(List.of("/srv/app", "/home/*/.config/autostart"), s.watch());
    assertEquals(List.of("/srv/app/cache"), s.exclude());
    assertEquals(List.of(), s.opened());
    assertEquals(Duration.ofMillis(250), s.coalesceWindow());
    assertEquals(5000, s.maxEventsPerSecond());
    assertEquals(3, s.maxEventsPerPathPerWindow());
    assertEquals(16, s.queueCapacity());
    assertEquals(64, s.maxPendingPaths());
    assertFalse(s.hashExecutables());
    assertEquals(1L << 20, s.hashMaxBytes());
    assertEquals(List.of("/opt/bin"), s.binaryDirs());
    assertEquals(100, s.maxWatches());

    FileSensor.Options o = s.sensorOptions(List.of(Path.of("/state")));
    assertEquals(s.watch(), o.watch());
    assertEquals(List.of(Path.of("/state")), o.ownPaths());
    assertEquals(Duration.ofMillis(250), o.coalesceWindow());
    assertEquals(16, o.queueCapacity());
    assertEquals(1L << 20, o.hashMaxBytes());
    assertEquals(100, o.maxWatches());
  }

  @Test
  void pathsMustBeAbsoluteWithoutDotComponents() {
    assertOneProblem(
        "sensors.file.watch: expected an absolute path (starting with /), got \"etc\"",
        "sensors.file.watch=/usr/bin,etc");
    assertOneProblem(
        "sensors.file.exclude: \".\" and \"..\" components are not allowed",
        "sensors.file.exclude=/tmp/../etc");
    assertOneProblem("sensors.file.opened: \".\" and \"..\"", "sensors.file.opened=/etc/./shadow");
    assertOneProblem(
        "sensors.file.binary_dirs: expected an absolute path", "sensors.file.binary_dirs=bin");
    assertOneProblem(
        "sensors.file.watch: control characters are not allowed",
        "sensors.file.watch=/tmp/a\u0001b");
    assertOneProblem(
        "sensors.file.watch: longer than 4096 characters",
        "sensors.file.watch=/" + "a".repeat(5000));
  }

  @Test
  void theWatchListMustNotBeEmptyAndNoListTooLong() throws IOException {
    Path file = dir.resolve("empty.yaml");
    Files.writeString(file, "sensors:\n  file:\n    watch: []\n");
    List<String> p = assertThrows(ConfigException.class, () -> bind(Optional.of(file))).problems();
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("sensors.file.watch: expected at least one path"), p.get(0));

    List<String> many = new ArrayList<>();
    for (int i = 0; i < 257; i++) {
      many.add("/d" + i);
    }
    assertOneProblem(
        "sensors.file.exclude: at most 256 paths, got 257",
        "sensors.file.exclude=" + String.join(",", many));
  }

  @Test
  void numbersAndDurationsAreBounded() {
    assertOneProblem(
        "sensors.file.coalesce_window: expected a duration from 100ms to",
        "sensors.file.coalesce_window=50ms");
    assertOneProblem(
        "sensors.file.coalesce_window: expected a duration from 100ms to",
        "sensors.file.coalesce_window=2m");
    assertOneProblem(
        "sensors.file.max_events_per_second: expected an integer from 1 to 1000000",
        "sensors.file.max_events_per_second=0");
    assertOneProblem(
        "sensors.file.max_events_per_path_per_window: expected an integer from 1 to 100000",
        "sensors.file.max_events_per_path_per_window=-1");
    assertOneProblem(
        "sensors.file.queue_capacity: expected an integer from 1 to 4194304",
        "sensors.file.queue_capacity=0");
    assertOneProblem(
        "sensors.file.max_pending_paths: expected an integer from 16 to 1048576",
        "sensors.file.max_pending_paths=lots");
    assertOneProblem(
        "sensors.file.hash_max_bytes: expected a size from 1KiB to 4GiB",
        "sensors.file.hash_max_bytes=10");
    assertOneProblem(
        "sensors.file.max_watches: expected an integer from 1 to 1048576",
        "sensors.file.max_watches=0");
    assertOneProblem(
        "sensors.file.enabled: expected true or false", "sensors.file.enabled=sometimes");
    assertOneProblem("sensors.file.fanotify: expected true or false", "sensors.file.fanotify=1");
    assertOneProblem(
        "sensors.file.hash_executables: expected true or false",
        "sensors.file.hash_executables=yes");
  }

  @Test
  void everyBadKeyIsReportedAtOnceAndUnknownKeysToo() {
    List<String> p =
        problems(
            "sensors.file.watch=relative",
            "sensors.file.exclude=/a/../b",
            "sensors.file.queue_capacity=0",
            "sensors.file.coalesce=1s");
    assertEquals(4, p.size(), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("sensors.file.watch:")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("sensors.file.exclude:")), p.toString());
    assertTrue(p.stream().anyMatch(s -> s.startsWith("sensors.file.queue_capacity:")));
    assertTrue(p.stream().anyMatch(s -> s.startsWith("sensors.file.coalesce")));
  }
}
