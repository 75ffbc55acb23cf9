package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.AuditRules;
import io.vigil.testkit.Commands;
import io.vigil.testkit.ContainmentNetwork;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.Host;
import io.vigil.testkit.Poll;
import io.vigil.testkit.VigilProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigil-agent release-host}, what the agent package's prerm runs on remove, against the real
 * kernel: an agent in namespace A is isolated through the collector in B, then release-host runs
 * inside A with the agent's config while the agent still runs (as on a host without systemd). It
 * must stop the agent, delete the table, mark the state released, remove the agent's audit rules,
 * and leave A reachable again.
 */
@Tag("kernel")
class ReleaseHostTest {
  /** The audit key release-host is told the agent uses; a test rule carries it. */
  private static final String AUDIT_KEY = AuditRules.PREFIX + "release";

  @TempDir static Path dir;
  private static ContainmentNetwork net;
  private static List<VigilProcess> peers = List.of();

  @BeforeAll
  static void network() throws Exception {
    Host.requireRoot("kernel tests need root");
    if (AuditRules.available()) {
      // A killed earlier run's rule would make the count below wrong.
      Commands.run(false, "auditctl", "-D", "-k", AUDIT_KEY);
    }
    net = ContainmentNetwork.create();
    peers = NamespacedDeploymentTest.startEchoPeers(net, dir);
  }

  @AfterAll
  static void removeNetwork() throws Exception {
    try {
      for (VigilProcess p : peers) {
        p.close();
      }
      if (AuditRules.available()) {
        // Only this test's key: other test runs on the machine may hold rules of their own.
        Commands.run(false, "auditctl", "-D", "-k", AUDIT_KEY);
      }
    } finally {
      if (net != null) {
        Containment.removeTables(net);
        net.close();
      }
    }
  }

  @Test
  void releasesAnIsolatedHostWhoseAgentStillRuns() throws Exception {
    Path root = Files.createDirectory(dir.resolve("release"));
    try (Deployment d = Containment.deployment(net, root)) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(0, 20, Containment.agentYaml(root, "10s"));
      net.a().awaitHolds(agent.pid());
      d.awaitStored(20, Duration.ofMinutes(2), agent, collector);
      assertEquals(0, Containment.isolate(net, d, agent), d.lastToolLog());
      assertTrue(net.a().hasTable(Containment.TABLE), net.a().ruleset());
      Path stateFile = d.agentState().resolve("containment.state");
      assertTrue(
          Files.readString(stateFile).contains("isolated=true"), Files.readString(stateFile));
      Containment.assertIsolated(net);
      boolean audit = AuditRules.available();
      if (audit) {
        Commands.run(
            true,
            "auditctl",
            "-a",
            "always,exit",
            "-F",
            "arch=b64",
            "-S",
            "sethostname",
            "-k",
            AUDIT_KEY);
      }

      List<String> cmd = new ArrayList<>(net.a().prefix());
      cmd.addAll(
          VigilProcess.javaCommand(
              Deployment.AGENT_MAIN,
              List.of("-Xmx128m"),
              "release-host",
              "--config",
              d.agentConfig().toString(),
              "--set",
              "sensors.process.audit_key=" + AUDIT_KEY));
      Path log = root.resolve("release-host.log");
      int code =
          VigilProcess.runCommand("release-host", cmd, log, Map.of(), Duration.ofSeconds(120));
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertEquals(0, code, out);

      Poll.until(
          Duration.ofSeconds(10), () -> "the agent still runs:\n" + out, () -> !agent.isAlive());
      assertTrue(out.contains("agent: stopped pid " + agent.pid() + " with SIGTERM"), out);
      assertFalse(net.a().hasTable(Containment.TABLE), net.a().ruleset());
      assertTrue(out.contains("deleted table inet " + Containment.TABLE), out);
      String state = Files.readString(stateFile);
      assertTrue(state.contains("isolated=false") && !state.contains("block="), state);
      assertTrue(out.contains("marked released (was isolated)"), out);
      if (audit) {
        assertTrue(out.contains("audit: removed 1 rule(s) with key " + AUDIT_KEY), out);
        assertFalse(
            Commands.run(true, "auditctl", "-l").contains(AUDIT_KEY), "the agent's audit rule");
      }
      Containment.assertOpen(net);

      // Nothing left: a second run says so and still exits 0.
      Path again = root.resolve("release-host-again.log");
      assertEquals(
          0,
          VigilProcess.runCommand("release-host", cmd, again, Map.of(), Duration.ofSeconds(120)),
          Files.readString(again));
      String second = Files.readString(again);
      assertTrue(second.contains("agent: not running"), second);
      assertTrue(second.contains("already released"), second);
      assertTrue(second.contains("no table inet " + Containment.TABLE), second);
    }
  }

  /**
   * The configuration the removal finds is broken: release-host must still delete the table in A.
   * No agent runs here (the first case covers stopping one): A holds the table an isolated agent
   * left (a drop-everything output chain) and its state file says isolated.
   */
  @Test
  void releasesTheTableWhenTheConfigIsInvalidOrMissing() throws Exception {
    Path root = Files.createDirectory(dir.resolve("broken-config"));
    Path state = Files.createDirectory(root.resolve("state"));
    String isolated =
        "version=1\nisolated=true\ncollector_host=10.0.0.5\ncollector_port=7443\n"
            + "collector_address=10.0.0.5\nbaseline=\n";

    // Invalid: a typo edited in after the agent's last start, and a CPU budget above the fixed
    // bound (BudgetSection.MAX_CPU_PERCENT, 6400). The file's state_dir and table are valid and
    // must be used. Everything is released, with the fallback settings: exit 3.
    Path yaml = root.resolve("agent.yaml");
    Files.writeString(
        yaml,
        "agent:\n  state_dir: "
            + state
            + "\nresponse:\n  table: "
            + Containment.TABLE
            + "\nresponce:\n  nft: /usr/sbin/nft\nbudget:\n  cpu: 1000000\n");
    leaveIsolation(root, state, isolated);
    String out = releaseHost(root, "invalid", List.of("--config", yaml.toString()), Map.of(), 3);
    assertTrue(out.contains("exit 3 because the configuration is invalid"), out);
    assertTrue(out.contains("invalid configuration (releasing anyway"), out);
    assertTrue(out.contains("responce"), out);
    assertTrue(out.contains("budget.cpu"), out);
    assertTrue(out.contains("deleted table inet " + Containment.TABLE), out);
    assertFalse(net.a().hasTable(Containment.TABLE), net.a().ruleset());
    assertTrue(Files.readString(state.resolve("containment.state")).contains("isolated=false"));
    Containment.assertOpen(net);

    // Missing: the conffile was deleted; the state directory and table come from the service's
    // environment (/etc/default/vigil-agent), as the prerm passes it on.
    leaveIsolation(root, state, isolated);
    out =
        releaseHost(
            root,
            "missing",
            List.of("--config", root.resolve("deleted.yaml").toString()),
            Map.of(
                "VIGIL_AGENT__AGENT__STATE_DIR",
                state.toString(),
                "VIGIL_AGENT__RESPONSE__TABLE",
                Containment.TABLE),
            3);
    assertTrue(out.contains("deleted.yaml"), out);
    assertTrue(out.contains("deleted table inet " + Containment.TABLE), out);
    assertFalse(net.a().hasTable(Containment.TABLE), net.a().ruleset());
    assertTrue(Files.readString(state.resolve("containment.state")).contains("isolated=false"));
    Containment.assertOpen(net);
  }

  /** Puts an isolating table in A and an isolated state file, as an isolated agent leaves them. */
  private static void leaveIsolation(Path root, Path state, String isolated) throws Exception {
    Path script = root.resolve("isolate.nft");
    Files.writeString(
        script,
        "table inet "
            + Containment.TABLE
            + " {\n  chain output {\n    type filter hook output priority 0; policy drop;\n"
            + "    oif \"lo\" accept\n  }\n}\n");
    net.a().nft(script);
    assertTrue(net.a().hasTable(Containment.TABLE), net.a().ruleset());
    Files.writeString(state.resolve("containment.state"), isolated);
  }

  /** Runs release-host inside A with {@code args}; asserts its exit code and returns its output. */
  private static String releaseHost(
      Path root, String name, List<String> args, Map<String, String> env, int expected)
      throws Exception {
    List<String> cmd = new ArrayList<>(net.a().prefix());
    List<String> all = new ArrayList<>(List.of("release-host"));
    all.addAll(args);
    // Only this test's audit key: the host's own rules are not this test's to remove.
    all.addAll(List.of("--set", "sensors.process.audit_key=" + AUDIT_KEY));
    cmd.addAll(
        VigilProcess.javaCommand(
            Deployment.AGENT_MAIN, List.of("-Xmx128m"), all.toArray(new String[0])));
    Path log = root.resolve("release-host-" + name + ".log");
    int code = VigilProcess.runCommand("release-host", cmd, log, env, Duration.ofSeconds(120));
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(expected, code, out);
    return out;
  }
}
