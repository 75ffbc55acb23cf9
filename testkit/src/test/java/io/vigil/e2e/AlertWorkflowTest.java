package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.testkit.AuditRules;
import io.vigil.testkit.Child;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.Host;
import io.vigil.testkit.Poll;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import io.vigil.testkit.VigilProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #5's end to end: an agent with the real process sensor and a collector with the starter
 * rules. A harmless command one starter rule targets raises an alert that {@code vigilctl alerts
 * list} shows, with the process and its parent chain in {@code vigilctl alerts show}; the analyst
 * acknowledges and closes it, and the history says who and when. A burst of discovery commands
 * raises the starter correlation.
 */
@Tag("kernel")
class AlertWorkflowTest {
  private static final String RUN = "vigil-test-" + UUID.randomUUID().toString().substring(0, 8);

  /** Starter rule proc_chmod_setuid.yml. */
  private static final String CHMOD_SETUID = "Setuid Bit Set With chmod or install";

  /** Starter correlation mr_linux_recon_burst.yml. */
  private static final String RECON_BURST = "275006b5-01c9-4bc2-a953-a6242d7dc531";

  @TempDir static Path dir;
  private static Deployment deployment;
  private static SensorRun run;

  @BeforeAll
  static void startCollectorAndAgent() throws Exception {
    Host.requireRoot("kernel tests need root");
    AuditRules.removeTestRules();
    deployment = new Deployment(dir);
    try {
      deployment.startCollector(
          "detection:",
          "  starter_rules: true",
          // Correlations wait this much event time for late events before they count: short here
          // so the test need not wait a minute (the agent's status events move time on).
          "  correlation:",
          "    lateness: 3s",
          "output:",
          "  alerts_jsonl:",
          "    enabled: true");
      run =
          SensorRun.of(
              deployment,
              deployment.startSensorAgent(new SensorsYaml(), "status:", "  interval: 1s"));
      run.awaitStatus(
          "the process sensor reported", s -> SensorRun.sensor(s, "process").isPresent());
    } catch (Throwable t) {
      deployment.close();
      throw t;
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (run != null) {
      run.close();
    } else if (deployment != null) {
      deployment.close();
    }
  }

  @Test
  void aHarmlessTriggerIsListedByVigilctlWithItsChainThenAcknowledgedAndClosed() throws Exception {
    Path target = dir.resolve(RUN + "-setuid");
    long started = System.currentTimeMillis() * 1_000_000L;
    Child sh =
        Child.start(dir, "sh", "-c", "touch " + target + " && chmod u+s " + target + " # " + RUN);
    sh.output();

    AlertRow a =
        awaitAlert(
            "the chmod u+s alert of sh pid " + sh.pid(),
            r -> r.title().equals(CHMOD_SETUID) && r.matchedFieldsJson().contains(RUN));
    // From the exec to the alert stored (what vigilctl lists), on the host's own clock.
    double latencyS = (a.storedNs() - a.eventTimeNs()) / 1e9;
    System.out.printf(
        "exec -> alert stored: %.3f s (test started the command %.3f s before)%n",
        latencyS, (a.storedNs() - started) / 1e9);
    assertTrue(latencyS <= 5.0, "alert visible within 5 s of the exec: " + latencyS + " s");

    String list = vigilctl("alerts", "list", "--limit", "1000");
    String row =
        list.lines()
            .filter(l -> l.startsWith(a.id() + " "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("alert " + a.id() + " not listed:\n" + list));
    assertTrue(row.contains(" new "), row);
    assertTrue(row.contains(CHMOD_SETUID), row);
    assertTrue(row.contains("/chmod"), "the process image is listed: " + row);

    String show = vigilctl("alerts", "show", Long.toString(a.id()));
    assertTrue(show.contains("chmod u+s " + target), "the command line:\n" + show);
    assertTrue(
        show.contains("sh -c touch " + target + " && chmod u+s " + target),
        "the parent shell is the first link of the chain:\n" + show);

    vigilctl("alerts", "ack", Long.toString(a.id()), "--note", "looking at it " + RUN);
    vigilctl("alerts", "close", Long.toString(a.id()), "--reason", "test fixture " + RUN);
    String closed = vigilctl("alerts", "show", Long.toString(a.id()));
    assertTrue(closed.contains("closed"), closed);
    assertTrue(closed.contains("reason: test fixture " + RUN), closed);
    assertTrue(closed.contains("note: looking at it " + RUN), closed);
    assertTrue(
        closed
                .lines()
                .filter(l -> l.contains("admin") && (l.contains("ack") || l.contains("close")))
                .count()
            >= 2,
        "who acknowledged and closed it is recorded (the operator of the bootstrap admin token"
            + " vigilctl uses by default):\n"
            + closed);
    String open = vigilctl("alerts", "list", "--limit", "1000");
    assertTrue(
        open.lines().noneMatch(l -> l.startsWith(a.id() + " ")),
        "a closed alert leaves the open list:\n" + open);

    // The JSONL output has the alert as one line.
    Path jsonl = deployment.collectorState().resolve("alerts.jsonl");
    String lines = Files.readString(jsonl);
    assertTrue(lines.contains("\"alert_id\":" + a.id() + ","), lines);
  }

  @Test
  void aBurstOfDiscoveryCommandsRaisesTheStarterCorrelation() throws Exception {
    String user = "vigil-burst-" + RUN;
    Child sh = Child.start(dir, "sh", "-c", "whoami; id; uname -a; hostname; groups; true " + user);
    sh.output();
    AlertRow a =
        awaitAlert(
            "the recon burst correlation",
            r -> r.ruleId().equals(RECON_BURST) && r.storedNs() > 0 && r.count() >= 1);
    assertEquals("correlation", a.source());
    assertTrue(a.groupKeyJson().contains("\"User\""), a.groupKeyJson());
    String show = vigilctl("alerts", "show", Long.toString(a.id()));
    assertTrue(show.contains("member"), "the correlated events are listed:\n" + show);
  }

  private static String vigilctl(String... args) throws Exception {
    List<String> all =
        new ArrayList<>(List.of("--config", dir.resolve("collector.yaml").toString()));
    all.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "vigilctl", ".log");
    int exit =
        VigilProcess.run(
            "io.vigil.collector.cli.CtlMain",
            out,
            Duration.ofSeconds(60),
            all.toArray(String[]::new));
    String printed = Files.readString(out);
    assertEquals(0, exit, "vigilctl " + all + ":\n" + printed);
    return printed;
  }

  private static List<AlertRow> alerts() {
    Path db = deployment.collectorState().resolve("vigil.db");
    if (!Files.exists(db)) {
      return List.of();
    }
    try (StoreReader reader = EventStore.openReadOnly(db)) {
      return reader.latestAlerts(100_000);
    }
  }

  private static AlertRow awaitAlert(String what, Predicate<AlertRow> match)
      throws InterruptedException {
    Poll.until(
        SensorRun.WAIT,
        () -> what + "\nstored alerts:\n" + alerts() + run.agentLog(),
        () -> alerts().stream().anyMatch(match));
    Optional<AlertRow> a = alerts().stream().filter(match).findFirst();
    return a.orElseThrow();
  }
}
