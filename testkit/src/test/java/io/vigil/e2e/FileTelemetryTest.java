package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.AlertRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.common.testing.TestData;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FileEvent.Action;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.testkit.AuditRules;
import io.vigil.testkit.Child;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.Host;
import io.vigil.testkit.Poll;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8's file telemetry end to end, on the real kernel (fanotify in FID mode): child processes
 * write, rename, chmod, chown and delete files in a watched tree under /tmp and in one on /dev/shm
 * (a separate tmpfs, so a second filesystem mark), and each stored event names the path(s), the
 * operation and the very process that did it — the same entity id as that process's exec event. A
 * file written under {@code /etc/cron.d/} raises SigmaHQ's {@code
 * file_event_lnx_susp_cron_file_created} through the collector, loaded unmodified from the shared
 * test data.
 */
@Tag("kernel")
class FileTelemetryTest {
  /** SigmaHQ {@code file_event_lnx_susp_cron_file_created.yml}: New Cron File Created. */
  private static final String CRON_RULE = "6c4e2f43-d94d-4ead-b64d-97e53fa2bd05";

  private static final String RUN = "vigil-test-" + UUID.randomUUID().toString().substring(0, 8);

  @TempDir static Path dir;
  private static Path tmpTree;
  private static Path shmTree;
  private static Path cronFile;
  private static Deployment deployment;
  private static SensorRun run;

  @BeforeAll
  static void collectorWithSigmaHqRulesAndAnAgentWatchingTestTrees() throws Exception {
    Host.requireRoot("kernel tests need root");
    Path sigmaLinux = TestData.require("sigma/rules/linux").toRealPath();
    removeLeftovers();
    tmpTree = Files.createDirectory(Path.of("/tmp", RUN)).toRealPath();
    shmTree = Files.createDirectory(Path.of("/dev/shm", RUN)).toRealPath();
    cronFile = Path.of("/etc/cron.d", RUN);
    // Opens are watched on files that exist when the agent starts (as /etc/shadow does).
    Files.writeString(tmpTree.resolve("secret"), "hunter2\n");
    AuditRules.removeTestRules();
    deployment = new Deployment(dir);
    try {
      deployment.startCollector("detection:", "  rule_dirs: [\"" + sigmaLinux + "\"]");
      SensorsYaml sensors =
          new SensorsYaml()
              .withFileSensor(
                  "watch: [" + tmpTree + ", " + shmTree + ", /etc/cron.d]",
                  "opened: [" + tmpTree.resolve("secret") + "]");
      run =
          SensorRun.of(
              deployment, deployment.startSensorAgent(sensors, "status:", "  interval: 2s"));
      run.awaitStatus(
          "the file sensor reported on fanotify",
          s ->
              SensorRun.sensor(s, "file")
                      .filter(f -> f.getSource().equals("fanotify") && !f.getDegraded())
                      .isPresent()
                  && SensorRun.sensor(s, "process").isPresent());
    } catch (Throwable t) {
      deployment.close();
      throw t;
    }
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (run != null) {
        run.close();
      } else if (deployment != null) {
        deployment.close();
      }
    } finally {
      removeLeftovers();
    }
  }

  /** Trees and cron files of this test's earlier, killed runs (and of this run). */
  private static void removeLeftovers() throws Exception {
    for (Path parent : List.of(Path.of("/tmp"), Path.of("/dev/shm"), Path.of("/etc/cron.d"))) {
      try (Stream<Path> s = Files.list(parent)) {
        for (Path p :
            s.filter(p -> p.getFileName().toString().startsWith("vigil-test-")).toList()) {
          if (Files.isDirectory(p) && !Files.isSymbolicLink(p)) {
            deleteTree(p);
          } else {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }

  private static void deleteTree(Path p) throws Exception {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }

  @Test
  void childOperationsUnderTmpCarryTheActingProcess() throws Exception {
    everyOperationIsAttributedIn(tmpTree);
  }

  @Test
  void childOperationsOnDevShmCarryTheActingProcess() throws Exception {
    everyOperationIsAttributedIn(shmTree);
  }

  /**
   * The shell writes a file itself, then runs mv, chmod and chown on it, and a second shell rm:
   * five events, each with the pid, image and entity id of the program that did it. (rm comes after
   * the attribute events are stored, so that their mode and owner, read when the event is built,
   * are those of the file and not of a deleted one.)
   */
  private void everyOperationIsAttributedIn(Path tree) throws Exception {
    Path work = Files.createDirectory(tree.resolve("ops-" + UUID.randomUUID()));
    Path a = work.resolve("a.txt");
    Path b = work.resolve("b.txt");
    Child sh =
        Child.start(
            work,
            "sh",
            "-c",
            "echo data > a.txt && mv a.txt b.txt && chmod 600 b.txt && chown nobody b.txt");
    sh.output();

    FileEvent created = awaitFile("create of " + a, Action.ACTION_CREATE, a, f -> true);
    assertEquals(sh.pid(), created.getProcess().getPid(), "the shell wrote it\n" + created);
    assertEquals(Path.of("/bin/sh").toRealPath().toString(), created.getProcess().getImage());
    assertTrue(created.getClosedAfterWrite(), created.toString());
    assertEquals("fanotify", created.getSource());

    FileEvent renamed = awaitFile("rename to " + b, Action.ACTION_RENAME, b, f -> true);
    assertDoneBy("mv", sh, renamed);
    assertEquals(a.toString(), renamed.getOldPath(), "old and new name in one event");

    FileEvent chmod = awaitFile("chmod of " + b, Action.ACTION_ATTRIBUTE, b, by("chmod"));
    assertDoneBy("chmod", sh, chmod);
    FileEvent chown = awaitFile("chown of " + b, Action.ACTION_ATTRIBUTE, b, by("chown"));
    assertDoneBy("chown", sh, chown);
    assertEquals(0600, chown.getMode() & 07777, "mode after the changes\n" + chown);
    assertEquals(65534, chown.getOwnerUid(), "owner after the chown\n" + chown);

    Child rm = Child.start(work, "sh", "-c", "rm b.txt");
    rm.output();
    assertDoneBy("rm", rm, awaitFile("delete of " + b, Action.ACTION_DELETE, b, by("rm")));
  }

  private static java.util.function.Predicate<FileEvent> by(String program) {
    return f -> f.getProcess().getImage().endsWith("/" + program);
  }

  @Test
  void anOpenOfAConfiguredSensitivePathNamesTheReader() throws Exception {
    Path secret = tmpTree.resolve("secret");
    Child cat = Child.start(tmpTree, "cat", secret.toString());
    assertEquals("hunter2\n", cat.output());
    FileEvent open =
        awaitFile(
            "open of " + secret + " by cat (pid " + cat.pid() + ")",
            Action.ACTION_OPEN,
            secret,
            f -> f.getProcess().getPid() == cat.pid());
    assertEquals(Path.of("/bin/cat").toRealPath().toString(), open.getProcess().getImage());
  }

  @Test
  void aFileWrittenUnderEtcCronDRaisesSigmaHqsNewCronFileAlert() throws Exception {
    try {
      Child sh = Child.start(dir, "sh", "-c", "echo '# " + RUN + "' > " + cronFile);
      sh.output();
      FileEvent created =
          awaitFile("create of " + cronFile, Action.ACTION_CREATE, cronFile, f -> true);
      assertEquals(sh.pid(), created.getProcess().getPid(), created.toString());

      AlertRow alert = awaitCronAlert();
      assertEquals("New Cron File Created", alert.title());
      assertEquals("low", alert.level());
      assertEquals(
          "{\"TargetFilename\":[\"" + cronFile + "\"]}",
          alert.matchedFieldsJson(),
          "the rule matched on the path the shell wrote");
    } finally {
      Files.deleteIfExists(cronFile);
    }
  }

  /** The exec of {@code program} started by {@code sh} is the process the event names. */
  private static void assertDoneBy(String program, Child sh, FileEvent event) throws Exception {
    String image = Path.of("/usr/bin", program).toRealPath().toString();
    ProcessExec exec =
        run.awaitExec(
            program + " started by sh (pid " + sh.pid() + ")",
            x -> x.getParent().getPid() == sh.pid() && x.getProcess().getImage().equals(image));
    String shown = "\nfile event: " + event + "\nexec: " + exec;
    assertEquals(exec.getProcess().getPid(), event.getProcess().getPid(), "pid" + shown);
    assertEquals(image, event.getProcess().getImage(), "Image" + shown);
    assertEquals(
        exec.getProcess().getEntityId(), event.getProcess().getEntityId(), "entity id" + shown);
    assertFalse(event.getProcess().getEntityId().isEmpty(), shown);
  }

  private static FileEvent awaitFile(
      String what, Action action, Path path, java.util.function.Predicate<FileEvent> more)
      throws InterruptedException {
    return run.awaitEvent(
            what,
            EventKind.EVENT_KIND_FILE,
            e ->
                e.getFile().getAction() == action
                    && e.getFile().getPath().equals(path.toString())
                    && more.test(e.getFile()))
        .getFile();
  }

  private static AlertRow awaitCronAlert() throws Exception {
    Poll.until(
        SensorRun.WAIT,
        () -> "alert " + CRON_RULE + " on " + cronFile + run.agentLog(),
        () -> cronAlert() != null);
    return cronAlert();
  }

  private static AlertRow cronAlert() {
    try {
      return findCronAlert();
    } catch (Exception e) {
      throw new AssertionError("cannot read alerts: " + e, e);
    }
  }

  private static AlertRow findCronAlert() throws Exception {
    Path db = deployment.collectorState().resolve("vigil.db");
    if (!Files.exists(db)) {
      return null;
    }
    List<AlertRow> out = new ArrayList<>();
    try (StoreReader reader = EventStore.openReadOnly(db)) {
      for (AlertRow r : reader.latestAlerts(100_000)) {
        if (r.ruleId().equals(CRON_RULE) && r.eventPayload() != null) {
          Event e = Event.parseFrom(r.eventPayload());
          if (e.hasFile() && e.getFile().getPath().equals(cronFile.toString())) {
            out.add(r);
          }
        }
      }
    }
    return out.isEmpty() ? null : out.get(0);
  }
}
