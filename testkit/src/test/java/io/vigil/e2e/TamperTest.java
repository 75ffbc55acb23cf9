package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.AgentStart;
import io.vigil.proto.v1.AgentStart.PreviousStop;
import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.TamperNotice;
import io.vigil.testkit.AuditRules;
import io.vigil.testkit.Commands;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.EventText;
import io.vigil.testkit.Host;
import io.vigil.testkit.Poll;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import io.vigil.testkit.VigilProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tamper and restart reporting end to end (issue #11): a real collector and a root agent with the
 * audit process sensor. Deleting the agent's audit rules by hand reaches the collector's store as a
 * tamper notice within a minute, though the status interval is ten minutes; an agent killed with
 * SIGKILL says at its next start that its previous run ended uncleanly, one stopped with SIGTERM
 * that it stopped cleanly. The agent's rules carry a key of this test only ({@link #KEY}), so that
 * deleting them touches no other test's agent. The collector raises a {@code
 * vigil-tamper-audit-rules-removed} alert within the minute and a {@code
 * vigil-agent-restart-unexpected} alert for the unclean stop only.
 */
@Tag("kernel")
class TamperTest {
  /** The audit key of this test's agents; rules a killed run left are deleted before and after. */
  private static final String KEY = AuditRules.PREFIX + "e2e-tamper";

  private static final Duration WITHIN = Duration.ofSeconds(60);

  private static final String TAMPER_AUDIT = "vigil-tamper-audit-rules-removed";

  private static final String RESTART_UNEXPECTED = "vigil-agent-restart-unexpected";

  /** Long, so that only a status emitted at once can carry the notice in time. */
  private static final String[] STATUS = {"status:", "  interval: 10m"};

  @TempDir static Path dir;

  /**
   * Auditing's {@code enabled} flag before this class ran: the SIGKILLed agent cannot put it back.
   */
  private static boolean enabledBefore;

  @BeforeAll
  static void removeLeftovers() throws Exception {
    Host.requireRoot("kernel tests need root");
    deleteRules();
    enabledBefore = auditEnabled();
  }

  @AfterAll
  static void noRulesLeft() throws Exception {
    List<String> left = rules();
    deleteRules();
    if (!enabledBefore && auditEnabled()) {
      Commands.run(true, "/usr/sbin/auditctl", "-e", "0");
    }
    assertEquals(List.of(), left, "the stopped agents removed their audit rules");
  }

  @Test
  void auditRulesDeletedByHandAreReportedWithinAMinuteAndPutBack(TestInfo info) throws Exception {
    try (Deployment d = new Deployment(root(info))) {
      d.startCollector();
      VigilProcess agent = d.startSensorAgent(new SensorsYaml().withAuditKey(KEY), STATUS);
      SensorRun run = SensorRun.of(d, agent);
      run.awaitStatus(
          "the process sensor on audit, not degraded",
          s ->
              SensorRun.sensor(s, "process")
                  .filter(p -> p.getSource().startsWith("audit") && !p.getDegraded())
                  .isPresent());
      int installed = rules().size();
      assertTrue(installed > 0, "the agent installed its rules with key " + KEY);

      long deletedAt = System.currentTimeMillis() * 1_000_000L;
      Commands.run(true, "/usr/sbin/auditctl", "-D", "-k", KEY);
      assertEquals(List.of(), rules(), "auditctl deleted them");

      long deadline = System.nanoTime() + WITHIN.toNanos();
      AgentStatus s =
          run.awaitStatus(
              "a status with an audit_rules_removed notice detected after the deletion",
              x -> notice(x, "audit_rules_removed", deletedAt).isPresent());
      assertTrue(System.nanoTime() < deadline, "stored within " + WITHIN);
      TamperNotice n = notice(s, "audit_rules_removed", deletedAt).orElseThrow();
      String shown = "\n" + EventText.of(s);
      assertTrue(
          n.getDetail().startsWith(installed + " of " + installed + " audit rules with key " + KEY),
          shown);
      assertTrue(n.getRestored(), shown);
      assertEquals(installed, rules().size(), "the agent put its rules back");
      String agentId = d.agentId();
      String tamperAlert =
          "FROM alerts WHERE source = 'health' AND rule_id = '"
              + TAMPER_AUDIT
              + "'"
              + " AND agent_id = '"
              + agentId
              + "' AND stored_ns >= "
              + deletedAt;
      Poll.until(
          Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
          () -> "no " + TAMPER_AUDIT + " alert within " + WITHIN + " of the deletion",
          () -> d.store().count("SELECT count(*) " + tamperAlert) > 0);
      assertEquals(
          1,
          d.store()
              .count(
                  "SELECT count(*) "
                      + tamperAlert
                      + " AND level = 'high' AND stored_ns <= "
                      + (deletedAt + WITHIN.toNanos())
                      + " AND matched_fields LIKE '%"
                      + KEY
                      + "%'"),
          "one high alert, stored within " + WITHIN + " of the deletion, naming the rules' key");

      agent.stop(); // SIGTERM: the agent removes its rules
    }
  }

  @Test
  void aKilledAgentSaysAtItsNextStartThatItsPreviousRunEndedUncleanly(TestInfo info)
      throws Exception {
    try (Deployment d = new Deployment(root(info))) {
      d.startCollector();
      VigilProcess first = d.startSensorAgent(new SensorsYaml().withAuditKey(KEY), STATUS);
      AgentStart firstStart = awaitStart(d, first, 1);
      assertEquals(PreviousStop.PREVIOUS_STOP_FIRST_START, firstStart.getPreviousStop());

      first.kill9();
      VigilProcess second = d.startSensorAgent(new SensorsYaml().withAuditKey(KEY), STATUS);
      AgentStart secondStart = awaitStart(d, second, 2);
      assertEquals(
          PreviousStop.PREVIOUS_STOP_UNCLEAN,
          secondStart.getPreviousStop(),
          secondStart.toString());
      assertTrue(
          secondStart.getDetail().contains("pid " + first.pid()),
          "names the killed run: " + secondStart);
      assertTrue(secondStart.getStartedNs() > firstStart.getStartedNs());
      String restartAlert =
          "FROM alerts WHERE source = 'health' AND rule_id = '"
              + RESTART_UNEXPECTED
              + "'"
              + " AND agent_id = '"
              + d.agentId()
              + "'";
      Poll.until(
          WITHIN,
          () -> "no " + RESTART_UNEXPECTED + " alert after the unclean stop",
          () -> d.store().count("SELECT count(*) " + restartAlert) > 0);
      assertEquals(
          1,
          d.store()
              .count(
                  "SELECT count(*) "
                      + restartAlert
                      + " AND count = 1 AND matched_fields LIKE '%pid "
                      + first.pid()
                      + "%'"),
          "one alert naming the killed run");

      second.stop(); // SIGTERM: a clean stop
      VigilProcess third = d.startSensorAgent(new SensorsYaml().withAuditKey(KEY), STATUS);
      AgentStart thirdStart = awaitStart(d, third, 3);
      assertEquals(
          PreviousStop.PREVIOUS_STOP_CLEAN, thirdStart.getPreviousStop(), thirdStart.toString());
      assertEquals(
          1,
          d.store().count("SELECT sum(count) " + restartAlert),
          "a clean stop raises no restart alert, new or folded");
      third.stop();
    }
  }

  /**
   * Waits until the store holds {@code n} statuses with {@code start} (each run's first status
   * carries one, and only that one) and returns the n-th.
   */
  private static AgentStart awaitStart(Deployment d, VigilProcess agent, int n)
      throws InterruptedException {
    SensorRun.of(d, agent).awaitStatus("status with start number " + n, s -> starts(d).size() >= n);
    List<AgentStart> starts = starts(d);
    assertEquals(n, starts.size(), "one start per run: " + starts);
    return starts.get(n - 1);
  }

  private static List<AgentStart> starts(Deployment d) {
    return d.store().agentStatuses().stream()
        .filter(AgentStatus::hasStart)
        .map(AgentStatus::getStart)
        .toList();
  }

  private static Optional<TamperNotice> notice(AgentStatus s, String kind, long notBeforeNs) {
    return s.getTampersList().stream()
        .filter(t -> t.getKind().equals(kind) && t.getDetectedNs() >= notBeforeNs)
        .findFirst();
  }

  private static Path root(TestInfo info) throws Exception {
    return Files.createDirectory(dir.resolve(info.getTestMethod().orElseThrow().getName()));
  }

  /** The kernel's rules with {@link #KEY}, as auditctl lists them. */
  private static List<String> rules() throws Exception {
    return Commands.run(true, "/usr/sbin/auditctl", "-l")
        .lines()
        .filter(l -> l.matches(".*(key=|-k )" + KEY + "(\\s.*)?"))
        .toList();
  }

  private static boolean auditEnabled() throws Exception {
    return Commands.run(true, "/usr/sbin/auditctl", "-s").lines().anyMatch("enabled 1"::equals);
  }

  private static void deleteRules() throws Exception {
    if (!rules().isEmpty()) {
      Commands.run(true, "/usr/sbin/auditctl", "-D", "-k", KEY);
    }
  }
}
