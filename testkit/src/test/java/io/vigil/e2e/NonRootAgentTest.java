package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.AgentStatus;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.SensorState;
import io.vigil.testkit.AuditRules;
import io.vigil.testkit.Child;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.EventText;
import io.vigil.testkit.Host;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import io.vigil.testkit.ShadedJars;
import io.vigil.testkit.UnprivilegedUser;
import io.vigil.testkit.WorldReadableDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The agent as {@code nobody} (uid 65534, no capabilities, via setpriv) from the shaded jar: it
 * starts, says in its status that the process sensor is degraded and why, and still reports execs
 * by polling /proc. The collector runs as root.
 */
@Tag("kernel")
class NonRootAgentTest {
  private static final String RUN = "vigil-test-" + UUID.randomUUID().toString().substring(0, 8);
  private static final Pattern PRIVILEGE =
      Pattern.compile("(?i)cap_|capabilit|privilege|root|permission|not permitted");

  private Path dir;
  private SensorRun run;

  @BeforeEach
  void startCollectorAndUnprivilegedAgent() throws Exception {
    Host.requireRoot("switching to nobody needs root");
    Assumptions.assumeTrue(
        Files.isExecutable(UnprivilegedUser.SETPRIV), UnprivilegedUser.SETPRIV + " is missing");
    Path jar = ShadedJars.agentJarOrSkip();
    AuditRules.removeTestRules();
    dir = WorldReadableDir.create("vigil-test-nonroot-");
    Deployment d = new Deployment(dir);
    try {
      d.startCollector();
      run =
          SensorRun.of(
              d,
              d.startSensorAgentAs(
                  UnprivilegedUser.NOBODY, jar, new SensorsYaml(), "status:", "  interval: 2s"));
    } catch (Throwable t) {
      d.close();
      throw t;
    }
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (run != null) {
        run.close();
      }
    } finally {
      WorldReadableDir.delete(dir);
    }
  }

  @Test
  void withoutPrivilegesTheAgentReportsDegradedPollingAndStillSeesExecs() throws Exception {
    AgentStatus status =
        run.awaitStatus(
            "a status with the process sensor degraded",
            s -> SensorRun.sensor(s, "process").map(SensorState::getDegraded).orElse(false));
    SensorState process = SensorRun.sensor(status, "process").orElseThrow();
    String shown = "\n" + EventText.of(status) + run.agentLog();
    assertTrue(process.getSource().contains("poll"), "source names polling" + shown);
    assertTrue(
        PRIVILEGE.matcher(process.getReason()).find(),
        "reason names the missing capability or privilege" + shown);

    // The workload runs as nobody too: an unprivileged agent cannot read /proc/PID/exe of other
    // users' processes. sh stays (it waits for sleep, then runs true), so each poll sees its argv
    // with the tag; GNU sleep itself would reject an extra argument.
    String tag = RUN + "-nonroot";
    List<String> argv = List.of("/bin/sh", "-c", "sleep 3; true", tag);
    List<String> cmd = new ArrayList<>(UnprivilegedUser.NOBODY.setprivPrefix());
    cmd.addAll(argv);
    Child sh = Child.start(dir, cmd.toArray(String[]::new)); // setpriv execs sh in its own pid
    ProcessExec x =
        run.awaitExec(
            "exec of " + argv + " (pid " + sh.pid() + ")", e -> e.getArgsList().equals(argv));
    sh.output();
    shown = "\n" + EventText.of(x);
    assertEquals("proc_poll", x.getSource(), shown);
    assertEquals(sh.pid(), x.getProcess().getPid(), shown);
    assertEquals(Path.of("/bin/sh").toRealPath().toString(), x.getProcess().getImage(), shown);
  }
}
