package io.vigil.agent.uninstall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The argument handling of {@code vigil-agent release-host}: what it accepts, and that a usage or
 * configuration error exits 2 before anything on the host is touched (the state file an isolated
 * agent left stays as it was). Releasing on a real kernel is {@code ReleaseHostTest} (testkit).
 */
class ReleaseHostCommandTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new ReleaseHostCommand(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of())
        .run(args);
  }

  private String errText() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void acceptsNothingOrConfigAndSets() throws Exception {
    ReleaseHostArgs none = ReleaseHostArgs.parse(new String[0]);
    assertEquals(Optional.empty(), none.config().file());
    assertEquals(List.of(), none.config().sets());

    ReleaseHostArgs some =
        ReleaseHostArgs.parse(
            new String[] {"--config", "/etc/vigil/agent.yaml", "--set", "response.table=v2"});
    assertEquals(Optional.of(Path.of("/etc/vigil/agent.yaml")), some.config().file());
    assertEquals(List.of("response.table=v2"), some.config().sets());
  }

  @Test
  void anUnknownArgumentIsAUsageErrorNamingIt() {
    ReleaseHostArgs.UsageException e =
        assertThrows(
            ReleaseHostArgs.UsageException.class,
            () -> ReleaseHostArgs.parse(new String[] {"--force"}));
    assertTrue(e.getMessage().contains("\"--force\""), e.getMessage());
  }

  @Test
  void usageAndConfigErrorsExit2AndTouchNothing() throws Exception {
    Path state = Files.createDirectory(dir.resolve("state"));
    Path file = state.resolve("containment.state");
    String isolated =
        "version=1\nisolated=true\ncollector_host=10.0.0.5\ncollector_port=7443\n"
            + "collector_address=10.0.0.5\nbaseline=\n";
    Files.writeString(file, isolated);
    String stateDir = "agent.state_dir=" + state;

    assertEquals(2, run("--set", stateDir, "--now"));
    assertTrue(errText().contains("unknown argument \"--now\""), errText());
    assertTrue(errText().contains("usage: vigil-agent release-host"), errText());

    err.reset();
    assertEquals(2, run("--set", stateDir, "--set", "response.table=Not-A-Table"));
    assertTrue(errText().contains("invalid configuration"), errText());
    assertTrue(errText().contains("response.table"), errText());

    err.reset();
    assertEquals(2, run("--config", dir.resolve("absent.yaml").toString(), "--set", stateDir));
    assertTrue(errText().contains("absent.yaml"), errText());

    err.reset();
    assertEquals(2, run("--set", stateDir, "--config"));
    assertFalse(errText().isEmpty());

    assertEquals(isolated, Files.readString(file), "nothing was released on a usage error");
    assertEquals("", out.toString(StandardCharsets.UTF_8), "no action reported");
  }

  @Test
  void findsVigilsTableInAListedRuleset() {
    String ruleset =
        "table inet other {\n}\ntable ip vigil {\n}\ntable inet vigil_test {\n"
            + "\tchain input {\n\t}\n}\n";
    assertTrue(ContainmentRelease.hasTable(ruleset, "vigil_test"));
    assertFalse(ContainmentRelease.hasTable(ruleset, "vigil"), "family ip is not Vigil's");
    assertFalse(ContainmentRelease.hasTable(ruleset, "vigil_tes"));
  }
}
