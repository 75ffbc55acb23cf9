package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.ProcessExec;
import io.vigil.testkit.Child;
import io.vigil.testkit.EventText;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process entity ids against the real kernel, as root: an exec without a fork is a new entity whose
 * parent is the previous image; a reused pid is a new entity. One collector and agent.
 */
@Tag("kernel")
class ProcessIdentityTest {
  private static final String RUN = "vigil-test-" + UUID.randomUUID().toString().substring(0, 8);

  @TempDir static Path dir;
  private static SensorRun run;

  @BeforeAll
  static void startAgent() throws Exception {
    run = SensorRun.start(dir, new SensorsYaml());
  }

  @AfterAll
  static void stopAgent() throws Exception {
    if (run != null) {
      run.close();
    }
  }

  @Test
  void cdThenExecKeepsTheCwdAndIsANewEntityWhoseParentIsTheShell() throws Exception {
    Path cwd = Files.createTempDirectory(dir, "vigil-test-cwd-").toRealPath();
    // GNU sleep rejects extra arguments, so the sleep is found by its pid (the shell's) and argv;
    // the directory's name carries the run token.
    String script = "cd " + cwd + " && exec /bin/sleep 0.5";
    Child sh = Child.start(dir, "sh", "-c", script);
    sh.output();
    List<String> shArgv = List.of("sh", "-c", script);
    ProcessExec shExec =
        run.awaitExec(
            "exec of sh (pid " + sh.pid() + ")",
            e -> e.getProcess().getPid() == sh.pid() && e.getArgsList().equals(shArgv));
    ProcessExec sleep =
        run.awaitExec(
            "exec of /bin/sleep 0.5 in pid " + sh.pid(),
            e ->
                e.getProcess().getPid() == sh.pid()
                    && e.getArgsList().equals(List.of("/bin/sleep", "0.5")));
    String shown = "\nsh: " + EventText.of(shExec) + "\nsleep: " + EventText.of(sleep);
    assertEquals(cwd.toString(), sleep.getCwd(), "cwd after cd" + shown);
    assertEquals(dir.toRealPath().toString(), shExec.getCwd(), "the shell's own cwd" + shown);
    assertTrue(sleep.getExecWithoutFork(), "exec_without_fork" + shown);
    assertEquals(sh.pid(), sleep.getProcess().getPid(), "the same pid" + shown);
    assertEquals(sh.pid(), shExec.getProcess().getPid(), shown);
    assertNotEquals(
        shExec.getProcess().getEntityId(), sleep.getProcess().getEntityId(), "new entity" + shown);
    assertEquals(
        shExec.getProcess().getEntityId(),
        sleep.getParent().getEntityId(),
        "the parent of the new image is the shell" + shown);
    assertTrue(!sleep.getProcess().getEntityId().isEmpty(), shown);
  }

  @Test
  void aReusedPidIsANewEntity() throws Exception {
    PidReuse reuse = PidReuse.force(dir, RUN + "-reuse");
    List<ProcessExec> execs =
        run.awaitExecs(
            "both execs of " + reuse.tag(1) + " and " + reuse.tag(2),
            e -> reuse.isOneOfTheTwo(e.getArgsList()),
            l -> l.size() >= 2);
    String shown = "\n" + reuse + "\n" + EventText.of(execs, 10);
    assertEquals(2, execs.size(), "one exec event each" + shown);
    ProcessExec first = execs.get(0);
    ProcessExec second = execs.get(1);
    assertEquals(reuse.pid(), first.getProcess().getPid(), shown);
    assertEquals(reuse.pid(), second.getProcess().getPid(), shown);
    assertNotEquals(
        first.getProcess().getEntityId(),
        second.getProcess().getEntityId(),
        "two entities" + shown);
    assertTrue(!first.getProcess().getEntityId().isEmpty(), shown);
  }
}
