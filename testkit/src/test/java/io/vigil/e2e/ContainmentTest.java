package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.CommandResult;
import io.vigil.testkit.ContainmentNetwork;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.Host;
import io.vigil.testkit.Poll;
import io.vigil.testkit.StoredCommand;
import io.vigil.testkit.VigilProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host isolation end to end, as issue #10 asks it to be shown: real collector and agent processes,
 * the agent in namespace A, the collector in B, a peer in C ({@link ContainmentNetwork}), real
 * nftables in A, {@code vigilctl} in B. Before each test A holds a table of its own ({@code inet
 * vigil_test_keep}), so that "the ruleset as before" is more than an empty one.
 */
@Tag("kernel")
class ContainmentTest {
  private static final int PORT = NamespacedDeploymentTest.ECHO_PORT;

  private static final String TAMPER_TABLE_REMOVED = "vigil-tamper-containment-table-removed";

  /** The must-show: a tamper alert within a minute of the deletion by hand. */
  private static final Duration TAMPER_WITHIN = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private static ContainmentNetwork net;
  private static List<VigilProcess> peers = List.of();
  private final List<Process> workloads = new ArrayList<>();

  @BeforeAll
  static void network() throws Exception {
    Host.requireRoot("kernel tests need root");
    net = ContainmentNetwork.create();
    peers = NamespacedDeploymentTest.startEchoPeers(net, dir);
    Path keep = dir.resolve("keep.nft");
    Files.writeString(
        keep,
        """
        table inet vigil_test_keep {
          set admins {
            type ipv4_addr
            elements = { 10.232.2.2 }
          }
          chain input {
            type filter hook input priority 10; policy accept;
            ip saddr @admins tcp dport 9 counter accept
          }
        }
        """);
    net.a().nft(keep);
  }

  @AfterAll
  static void removeNetwork() throws Exception {
    try {
      for (VigilProcess p : peers) {
        p.close();
      }
    } finally {
      if (net != null) {
        net.close();
      }
    }
  }

  @AfterEach
  void removeLeftoversOfThisTest() throws Exception {
    for (Process p : workloads) {
      p.destroyForcibly();
    }
    Containment.removeTables(net);
  }

  private static Path root(TestInfo info) throws Exception {
    return Files.createDirectory(dir.resolve(info.getTestMethod().orElseThrow().getName()));
  }

  /**
   * The first must-show: a session opened before the isolation stops passing data; new TCP, UDP and
   * ICMP exchanges between A and C fail both ways, and so does traffic forwarded through A; the
   * agent's stream stays up (the very same connection) and a kill still works; the collector
   * restarts while A is isolated and the agent reconnects; release opens everything again and
   * leaves A's ruleset exactly as before.
   */
  @Test
  void isolationCutsAllButTheCollectorStreamAndReleaseRestoresTheRuleset(TestInfo info)
      throws Exception {
    Path root = root(info);
    try (Deployment d = Containment.deployment(net, root)) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(0, 20, Containment.agentYaml(root, "10s"));
      net.a().awaitHolds(agent.pid());
      d.awaitStored(20, Duration.ofMinutes(2), agent, collector);
      String rulesetBefore = net.a().ruleset();
      Containment.assertOpen(net);
      Set<String> stream = Containment.streamPeers(net, d.port());
      assertEquals(1, stream.size(), "one agent stream into B: " + stream);

      VigilProcess session = startSession(root);
      Poll.until(
          Duration.ofSeconds(30),
          () -> "the session C to A did not run: " + session.logText(),
          () -> okLines(session) >= 3);
      Process sleeper = startInA("sleep", "600");

      assertEquals(0, Containment.isolate(net, d, agent), d.lastToolLog());
      assertTrue(net.a().hasTable(Containment.TABLE), net.a().ruleset());

      int sessionEnd = session.waitFor(Duration.ofSeconds(30));
      assertTrue(
          sessionEnd == 3 || sessionEnd == 4,
          "the session opened before the isolation stops passing data (exit "
              + sessionEnd
              + "):\n"
              + session.logText());
      Containment.assertIsolated(net);

      // The stream is the same connection as before, and still carries events.
      assertTrue(
          Containment.streamPeers(net, d.port()).containsAll(stream),
          "the stream " + stream + " survives: " + Containment.streamPeers(net, d.port()));
      long stored = d.store().syntheticCount();
      Poll.until(
          Duration.ofSeconds(60),
          () -> "no events after the isolation: " + Deployment.tail(agent.logText(), 3000),
          () -> d.store().syntheticCount() > stored + 20);

      // A kill over the isolated host's stream; the agent has no process sensor in A, so a
      // snapshot tells the collector which process has the pid (the kill is refused until then).
      assertEquals(0, Containment.command(d, "snapshot"), d.lastToolLog());
      killInA(d, sleeper);

      // The table deleted by hand, as an intruder would: the agent's check (every 15 s) puts it
      // back and reports it at once, and the collector raises a tamper alert within a minute.
      tableDeletedByHandIsPutBackAndAlerted(d);

      collector.stop();
      VigilProcess again = d.startCollector();
      net.b().awaitHolds(again.pid());
      assertEquals(
          0,
          Containment.command(d, "ping"),
          "the agent reconnects to the restarted collector:\n" + d.lastToolLog());
      Containment.assertCut(net.c(), ContainmentNetwork.A_TOWARD_C, "C to A, still isolated");

      assertEquals(0, Containment.command(d, "release"), d.lastToolLog());
      assertFalse(net.a().hasTable(Containment.TABLE), net.a().ruleset());
      Containment.assertRulesetRestored(net, rulesetBefore);
      Containment.assertOpen(net);
    }
  }

  /**
   * The second must-show: the collector's address stops answering new connections from A just
   * before the isolate arrives (B drops A's SYNs to the collector port; the established stream
   * stays, see {@link Containment#muteCollector}). The agent cuts, cannot complete its fresh round
   * trip, and rolls back by itself, with the collector still mute: A is reachable from C again and
   * its ruleset is as before. The failure is reported over the stream; between the start and the
   * end of the command the agent took no longer than its verification timeout plus 5 s.
   */
  @Test
  void anIsolationWhoseCollectorDoesNotAnswerRollsBackByItself(TestInfo info) throws Exception {
    Path root = root(info);
    Duration verify = Duration.ofSeconds(3);
    try (Deployment d = Containment.deployment(net, root)) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(0, 20, Containment.agentYaml(root, "3s"));
      net.a().awaitHolds(agent.pid());
      d.awaitStored(20, Duration.ofMinutes(2), agent, collector);
      String rulesetBefore = net.a().ruleset();

      Containment.muteCollector(net, d.port(), root);
      CompletableFuture<Integer> isolate =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return Containment.isolate(net, d, agent);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      Poll.until(
          Duration.ofSeconds(60),
          () -> "the agent never cut: " + Deployment.tail(agent.logText(), 3000),
          () -> {
            if (isolate.isDone() && isolate.join() != 1) {
              throw new AssertionError("isolate ended without a rollback:\n" + log(d));
            }
            return NamespacedDeploymentTest.probe(() -> net.a().hasTable(Containment.TABLE));
          });
      Poll.until(
          verify.plusSeconds(30),
          () -> "the agent did not roll back: " + Deployment.tail(agent.logText(), 3000),
          () -> NamespacedDeploymentTest.probe(() -> !net.a().hasTable(Containment.TABLE)));
      // Still mute: the rollback was the agent's own doing.
      Containment.assertRulesetRestored(net, rulesetBefore);
      NamespacedDeploymentTest.assertReachable(net.c(), ContainmentNetwork.A_TOWARD_C, "C to A");

      int code = isolate.get(2, TimeUnit.MINUTES);
      String log = d.lastToolLog();
      assertEquals(1, code, "the isolate is reported failed:\n" + log);
      StoredCommand c = d.store().commands("isolate").get(0);
      CommandResult r = c.result().orElseThrow(() -> new AssertionError(c.toString()));
      assertEquals(CommandResult.Outcome.OUTCOME_FAILED, r.getOutcome(), r.toString());
      long tookMs = (r.getFinishedTimeNs() - r.getStartedTimeNs()) / 1_000_000;
      assertTrue(
          tookMs <= verify.plusSeconds(5).toMillis(),
          "the agent gave up and rolled back after " + tookMs + " ms: " + r);
      assertFalse(r.getDetail().isEmpty(), "the failure says why: " + r);

      Containment.unmuteCollector(net);
      assertEquals(0, Containment.command(d, "ping"), d.lastToolLog());
    }
  }

  /**
   * The third must-show: an agent killed with SIGKILL while isolated leaves A isolated, and a new
   * agent process keeps it so and answers over its stream. Then the isolation is lost the way a
   * reboot loses it (the table deleted behind the agent's back, with the agent down) and the
   * collector stops answering A (B drops A's new connections): the agent restarted re-applies the
   * isolation from its local state at start, and keeps it well past its verification timeout
   * although no round trip to the collector can succeed (re-applying never rolls back).
   */
  @Test
  void anAgentRestartedWhileIsolatedIsStillIsolated(TestInfo info) throws Exception {
    Path root = root(info);
    try (Deployment d = Containment.deployment(net, root)) {
      VigilProcess collector = d.startCollector();
      String[] yaml = Containment.agentYaml(root, "3s");
      VigilProcess agent = d.startAgent(0, 20, yaml);
      net.a().awaitHolds(agent.pid());
      d.awaitStored(20, Duration.ofMinutes(2), agent, collector);
      String rulesetBefore = net.a().ruleset();
      assertEquals(0, Containment.isolate(net, d, agent), d.lastToolLog());

      agent.kill9();
      VigilProcess second = d.startAgent(0, 20, yaml);
      net.a().awaitHolds(second.pid());
      assertEquals(0, Containment.command(d, "ping"), d.lastToolLog());
      assertTrue(net.a().hasTable(Containment.TABLE), net.a().ruleset());
      Containment.assertIsolated(net);

      second.kill9();
      net.a().check("nft", "delete", "table", "inet", Containment.TABLE);
      NamespacedDeploymentTest.assertReachable(
          net.c(), ContainmentNetwork.A_TOWARD_C, "C to A with the table gone");
      Containment.muteCollector(net, d.port(), root);
      VigilProcess third = d.startAgent(0, 20, yaml);
      net.a().awaitHolds(third.pid());
      Poll.until(
          Duration.ofSeconds(60),
          () -> "the isolation was not re-applied: " + Deployment.tail(third.logText(), 3000),
          () -> NamespacedDeploymentTest.probe(() -> net.a().hasTable(Containment.TABLE)));
      Thread.sleep(8_000); // the 3 s verification timeout, and more
      assertTrue(
          net.a().hasTable(Containment.TABLE),
          "re-applied at start, kept without a collector round trip: " + net.a().ruleset());
      Containment.assertIsolated(net);

      Containment.unmuteCollector(net);
      assertEquals(0, Containment.command(d, "ping"), d.lastToolLog());
      assertEquals(0, Containment.command(d, "release"), d.lastToolLog());
      Containment.assertRulesetRestored(net, rulesetBefore);
      Containment.assertOpen(net);
    }
  }

  /**
   * Deletes Vigil's table in A by hand and asserts that within {@link #TAMPER_WITHIN} the collector
   * stored a {@code vigil-tamper-containment-table-removed} alert for the agent saying the table is
   * back, and that A's ruleset is again the one that isolated it.
   */
  private static void tableDeletedByHandIsPutBackAndAlerted(Deployment d) throws Exception {
    String alert =
        "SELECT count(*) FROM alerts WHERE source = 'health' AND rule_id = '"
            + TAMPER_TABLE_REMOVED
            + "' AND agent_id = '"
            + d.agentId()
            + "'";
    assertEquals(0, d.store().count(alert), "no tamper alert before the deletion");
    String isolated = net.a().ruleset();
    long deletedAt = System.currentTimeMillis() * 1_000_000L;
    net.a().check("nft", "delete", "table", "inet", Containment.TABLE);
    Poll.until(
        TAMPER_WITHIN,
        () -> "no " + TAMPER_TABLE_REMOVED + " alert within " + TAMPER_WITHIN + " of the deletion",
        () -> d.store().count(alert) > 0);
    assertEquals(
        1,
        d.store()
            .count(
                alert
                    + " AND level = 'high' AND stored_ns BETWEEN "
                    + deletedAt
                    + " AND "
                    + (deletedAt + TAMPER_WITHIN.toNanos())
                    + " AND matched_fields LIKE '%\"restored\":[\"true\"]%'"),
        "one high alert, stored within " + TAMPER_WITHIN + ", saying the table is back");
    // The very ruleset that isolated A (asserted above), not a fresh traffic probe of 4 paths (~30
    // s); the C to A probe after the collector restart below runs against the table put back.
    assertEquals(isolated, net.a().ruleset(), "the isolating table is back as it was");
  }

  /** A TCP session from C to A's echo peer that writes and reads a line every 200 ms. */
  private VigilProcess startSession(Path root) throws Exception {
    String script =
        "exec 3<>/dev/tcp/"
            + ContainmentNetwork.A_TOWARD_C
            + "/"
            + PORT
            + " || exit 2\n"
            + "while :; do\n"
            + "  echo session >&3 || { echo write-failed; exit 4; }\n"
            + "  if read -t 3 line <&3; then echo ok; else echo stalled; exit 3; fi\n"
            + "  sleep 0.2\n"
            + "done\n";
    List<String> cmd = new ArrayList<>(net.c().prefix());
    cmd.addAll(List.of("bash", "-c", script));
    return VigilProcess.startCommand("session C to A", cmd, root.resolve("session.log"), Map.of());
  }

  private static long okLines(VigilProcess session) {
    return session.logText().lines().filter(l -> l.equals("ok")).count();
  }

  /** Starts {@code command} in A ({@code ip netns exec} executes it: the pid is the command's). */
  private Process startInA(String... command) throws Exception {
    List<String> argv = new ArrayList<>(net.a().prefix());
    argv.addAll(List.of(command));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    workloads.add(p);
    net.a().awaitHolds(p.pid());
    return p;
  }

  /**
   * {@code vigilctl kill HOST PID}; the collector fills the entity id in from the processes it
   * stored, and refuses (exit 2) while the snapshot's events are not stored yet.
   */
  static void killInA(Deployment d, Process victim) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int code;
    do {
      code = Containment.command(d, "kill", Long.toString(victim.pid()));
    } while (code == 2 && System.nanoTime() < deadline && pause());
    assertEquals(0, code, d.lastToolLog());
    assertTrue(
        victim.waitFor(30, TimeUnit.SECONDS),
        "the killed process is gone (pid " + victim.pid() + ")");
  }

  private static String log(Deployment d) {
    try {
      return d.lastToolLog();
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static boolean pause() throws InterruptedException {
    Thread.sleep(1000);
    return true;
  }
}
