package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.common.testing.TestData;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.testkit.AuditRules;
import io.vigil.testkit.Child;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.Host;
import io.vigil.testkit.Poll;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import io.vigil.testkit.UnprivilegedUser;
import io.vigil.testkit.VigilProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #4's end to end: an agent with the real process sensor and a collector with SigmaHQ's Linux
 * rules loaded, unmodified, from the shared test data. Harmless commands those rules target run on
 * this host, and the alerts they raise are read back from the collector's store and through {@code
 * vigil-collector alerts}.
 */
@Tag("kernel")
class SigmaAlertTest {
  private static final String RUN = "vigil-test-" + UUID.randomUUID().toString().substring(0, 8);

  /** SigmaHQ {@code proc_creation_lnx_base64_decode.yml}: Decode Base64 Encoded Text. */
  private static final String BASE64_DECODE = "e2072cab-8c9a-459b-b63c-40ae79e27031";

  /** SigmaHQ {@code proc_creation_lnx_local_account.yml}: Local System Accounts Discovery. */
  private static final String LOCAL_ACCOUNTS = "b45e3d6f-42c6-47d8-a478-df6bd6cf534c";

  private static final Pattern SUMMARY =
      Pattern.compile("detection: (\\d+) rule files: (\\d+) active");

  @TempDir static Path dir;
  private static Path sigmaLinux;
  private static Deployment deployment;
  private static VigilProcess collector;
  private static SensorRun run;

  @BeforeAll
  static void startCollectorWithSigmaHqRulesAndAgent() throws Exception {
    Host.requireRoot("kernel tests need root");
    Assumptions.assumeTrue(
        Files.isExecutable(UnprivilegedUser.SETPRIV), UnprivilegedUser.SETPRIV + " is missing");
    sigmaLinux = TestData.require("sigma/rules/linux").toRealPath();
    AuditRules.removeTestRules();
    deployment = new Deployment(dir);
    try {
      collector = deployment.startCollector("detection:", "  rule_dirs: [\"" + sigmaLinux + "\"]");
      run =
          SensorRun.of(
              deployment,
              deployment.startSensorAgent(new SensorsYaml(), "status:", "  interval: 2s"));
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
  void atStartTheCollectorSaysHowManySigmaHqRulesItRunsAndWhyTheOthersDoNot() {
    String log = collector.logText();
    Matcher m = SUMMARY.matcher(log);
    assertTrue(m.find(), "no detection summary in the collector log:\n" + log);
    int files = Integer.parseInt(m.group(1));
    int active = Integer.parseInt(m.group(2));
    assertTrue(files >= 200, "the SigmaHQ linux rules are about 210 files: " + m.group());
    assertTrue(active >= 150 && active < files, m.group());
    long notable = log.lines().filter(l -> l.contains("WARN") && l.contains("detection: ")).count();
    assertEquals(files - active, notable, "one warning per rule file not active:\n" + log);
  }

  @Test
  void aBase64DecodeStoresTheSigmaHqAlertWithTheMatchedImageAndCommandLine() throws Exception {
    Child sh = Child.start(dir, "sh", "-c", "echo aGVsbG8K | base64 -d # " + RUN);
    assertEquals("hello\n", sh.output());

    Alert a =
        awaitAlert(
            "alert " + BASE64_DECODE + " on base64 started by sh (pid " + sh.pid() + ")",
            x ->
                x.row().ruleId().equals(BASE64_DECODE)
                    && x.exec().getParent().getPid() == sh.pid());
    String shown = "\n" + a;
    assertEquals("Decode Base64 Encoded Text", a.row().title(), shown);
    assertEquals("low", a.row().level(), shown);
    assertEquals("[\"attack.stealth\",\"attack.t1027\"]", a.row().tagsJson(), shown);
    String image = Path.of("/usr/bin/base64").toRealPath().toString();
    assertEquals(image, a.exec().getProcess().getImage(), shown);
    assertEquals(
        "{\"CommandLine\":[\"base64 -d\"],\"Image\":[\"" + image + "\"]}",
        a.row().matchedFieldsJson(),
        "the matched fields name the image and the command line" + shown);
    assertEquals(
        sigmaLinux.resolve("process_creation/proc_creation_lnx_base64_decode.yml").toString(),
        a.row().ruleOrigin(),
        shown);
  }

  @Test
  void catOfEtcShadowAsAnUnprivilegedUserStoresTheAccountDiscoveryAlert() throws Exception {
    String tag = RUN + "-shadow";
    List<String> cmd = new ArrayList<>(UnprivilegedUser.NOBODY.setprivPrefix());
    cmd.addAll(List.of("cat", "/etc/shadow", tag));
    Process cat = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(cat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(cat.waitFor(60, TimeUnit.SECONDS), "cat did not exit");
    assertEquals(1, cat.exitValue(), output);
    assertTrue(
        output.contains("/etc/shadow: Permission denied"), "nobody cannot read it: " + output);

    // setpriv execs cat in its own pid.
    Alert a =
        awaitAlert(
            "alert " + LOCAL_ACCOUNTS + " on cat (pid " + cat.pid() + ")",
            x ->
                x.row().ruleId().equals(LOCAL_ACCOUNTS)
                    && x.exec().getProcess().getPid() == cat.pid());
    String shown = "\n" + a;
    assertEquals("Local System Accounts Discovery - Linux", a.row().title(), shown);
    assertEquals("low", a.row().level(), shown);
    assertEquals(65534, a.exec().getProcess().getUid(), "the exec ran as nobody" + shown);
    String image = Path.of("/usr/bin/cat").toRealPath().toString();
    assertEquals(
        "{\"CommandLine\":[\"cat /etc/shadow " + tag + "\"],\"Image\":[\"" + image + "\"]}",
        a.row().matchedFieldsJson(),
        "the matched fields name the image and the command line" + shown);

    // What an analyst sees: the same alert through the command line, one line, escaped.
    Path out = dir.resolve("alerts-cli.log");
    int exit =
        VigilProcess.run(
            Deployment.COLLECTOR_MAIN,
            out,
            Duration.ofSeconds(60),
            "alerts",
            "--config",
            dir.resolve("collector.yaml").toString(),
            "--limit",
            "10000");
    String printed = Files.readString(out);
    assertEquals(0, exit, printed);
    String line =
        printed
            .lines()
            .filter(l -> l.contains("alert=" + a.row().id() + " "))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("alert " + a.row().id() + " not listed:\n" + printed));
    assertTrue(
        line.contains(
            " low \"Local System Accounts Discovery - Linux\" rule=" + LOCAL_ACCOUNTS + " "),
        line);
    assertTrue(
        line.contains(" user=nobody image=" + image + " cmd=cat /etc/shadow " + tag + " "), line);
  }

  /** An alert with its exec event (every alert these rules raise is on a process exec). */
  private record Alert(AlertRow row, ProcessExec exec) {
    @Override
    public String toString() {
      return row.ruleId() + " " + row.title() + " " + row.matchedFieldsJson() + "\n" + exec;
    }
  }

  private static List<Alert> alerts() throws Exception {
    Path db = deployment.collectorState().resolve("vigil.db");
    if (!Files.exists(db)) {
      return List.of();
    }
    List<Alert> out = new ArrayList<>();
    try (StoreReader reader = EventStore.openReadOnly(db)) {
      for (AlertRow r : reader.latestAlerts(100_000)) {
        if (r.eventPayload() != null) {
          Event e = Event.parseFrom(r.eventPayload());
          if (e.hasProcessExec()) {
            out.add(new Alert(r, e.getProcessExec()));
          }
        }
      }
    }
    return out;
  }

  private static Alert awaitAlert(String what, Predicate<Alert> match) throws Exception {
    Poll.until(
        SensorRun.WAIT,
        () -> {
          try {
            return what + "\nstored alerts:\n" + alerts() + run.agentLog();
          } catch (Exception e) {
            return what + " (cannot read alerts: " + e + ")";
          }
        },
        () -> {
          try {
            return alerts().stream().anyMatch(match);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
    return alerts().stream().filter(match).findFirst().orElseThrow();
  }
}
