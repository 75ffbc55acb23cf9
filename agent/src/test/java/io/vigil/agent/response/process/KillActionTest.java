package io.vigil.agent.response.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vigil.agent.response.ActionRefusedException;
import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.agent.sensor.process.procfs.EntityIds;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.common.proc.ProcessSelfStats;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Kill;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The kill action on real processes (spawned by this test; nothing kernel-global is touched): the
 * guard rails, the entity-id check against a reused pid, and a forking tree gone within the issue's
 * 2 s.
 */
class KillActionTest {
  private static final Path PROC = Path.of("/proc");
  private static BootTime boot;

  /** A marker in every command line this test starts, so leftovers can be found and removed. */
  private final String marker = "vigil-test-kill-" + UUID.randomUUID().toString().substring(0, 8);

  private final List<Process> started = new ArrayList<>();
  private final ProcReader reader = new ProcReader();
  private final KillAction action =
      new KillAction(
          PROC,
          boot,
          ProcessHandle.current().pid(),
          KillAction.DEFAULT_MAX_TREE,
          KillAction.DEFAULT_FREEZE_BUDGET,
          KillAction.DEFAULT_EXIT_WAIT);

  @BeforeAll
  static void readBoot() throws IOException {
    boot = BootTime.read(PROC, ProcessSelfStats.clockTicks());
  }

  @AfterEach
  void removeLeftovers() throws IOException {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (int pid : withMarker()) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void killsOneProcessByPidAndEntityId() throws Exception {
    Process sleep = start("sleep", "1000");
    int pid = (int) sleep.pid();
    String id = entityOf(pid);

    CommandResult r = run(pid, id, false);

    assertEquals(CommandResult.Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    assertTrue(sleep.waitFor(5, TimeUnit.SECONDS), "the process is gone");
    assertEquals("1", r.getFactsOrThrow("killed"));
    assertEquals(Integer.toString(pid), r.getFactsOrThrow("pids"));
    assertEquals(id, r.getFactsOrThrow("entity_id"));
  }

  @Test
  void acceptsTheEntityIdOfALaterImageOfTheSameProcess() throws Exception {
    Process sleep = start("sleep", "1000");
    int pid = (int) sleep.pid();
    long ticks = reader.startTicks(pid).orElseThrow();
    // The sensor's id for the third image of a process that exec'd twice without forking.
    String third = EntityIds.of(boot.bootId(), pid, ticks, 3);

    CommandResult r = run(pid, third, false);

    assertEquals(CommandResult.Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    assertTrue(sleep.waitFor(5, TimeUnit.SECONDS));
  }

  @Test
  void refusesAnEntityIdOfAnotherProcessUnderThePidAndLeavesTheLiveOneAlone() throws Exception {
    Process sleep = start("sleep", "1000");
    int pid = (int) sleep.pid();
    long ticks = reader.startTicks(pid).orElseThrow();
    // The id the pid had when an earlier process, started a second before, held it.
    String stale = boot.entityId(pid, ticks - ProcessSelfStats.clockTicks());

    ActionRefusedException e =
        assertThrows(ActionRefusedException.class, () -> run(pid, stale, false));

    assertTrue(e.getMessage().contains("now belongs to another process"), e.getMessage());
    assertTrue(e.getMessage().contains("nothing was killed"), e.getMessage());
    assertFalse(sleep.waitFor(300, TimeUnit.MILLISECONDS), "the live process was not touched");
    assertTrue(sleep.isAlive());
  }

  @Test
  void refusesAPidWhoseProcessHasExited() throws Exception {
    Process sleep = start("sleep", "1000");
    int pid = (int) sleep.pid();
    String id = entityOf(pid);
    sleep.destroyForcibly().waitFor(5, TimeUnit.SECONDS);

    ActionRefusedException e =
        assertThrows(ActionRefusedException.class, () -> run(pid, id, false));

    assertTrue(e.getMessage().contains("nothing was killed"), e.getMessage());
  }

  @Test
  void refusesInitTheAgentItsParentAndItsTree() throws Exception {
    String any = "0123456789abcdef0123456789abcdef";
    int self = (int) ProcessHandle.current().pid();
    int parent = (int) ProcessHandle.current().parent().orElseThrow().pid();

    assertTrue(refusal(1, any, false).contains("init"));
    assertTrue(refusal(self, entityOf(self), false).contains("agent itself"));
    assertTrue(refusal(parent, entityOf(parent), false).contains("ancestor"));
    assertTrue(refusal(parent, entityOf(parent), true).contains("contains the agent"));
    assertTrue(ProcessHandle.of(parent).map(ProcessHandle::isAlive).orElse(false));
  }

  @Test
  void refusesAThreadOfTheAgent() throws Exception {
    long self = ProcessHandle.current().pid();
    String tid;
    try (var tasks = Files.list(PROC.resolve(Long.toString(self)).resolve("task"))) {
      tid =
          tasks
              .map(p -> p.getFileName().toString())
              .filter(t -> !t.equals(Long.toString(self)))
              .findFirst()
              .orElseThrow();
    }
    assertTrue(
        refusal(Integer.parseInt(tid), entityOf(Integer.parseInt(tid)), false).contains("agent"));
  }

  @Test
  void refusesAKernelThread() throws Exception {
    int kthread = -1;
    for (int pid : ProcPids.list(PROC)) {
      if (reader.stat(pid).map(s -> s.kernelThread()).orElse(false)) {
        kthread = pid;
        break;
      }
    }
    assumeTrue(kthread > 1, "no kernel thread visible in this pid namespace");
    assertTrue(refusal(kthread, entityOf(kthread), false).contains("kernel thread"));
  }

  @Test
  void refusesBadArguments() {
    assertTrue(refusal(0, "0123456789abcdef0123456789abcdef", false).contains("pid is required"));
    assertTrue(refusal(-5, "0123456789abcdef0123456789abcdef", false).contains("not a process id"));
    assertTrue(refusal(4242, "", false).contains("entity_id is required"));
    assertTrue(refusal(4242, "XYZ\u001b[2J", false).contains("not an entity id"));
    assertFalse(refusal(4242, "XYZ\u001b[2J", false).contains("\u001b"), "escaped");
  }

  @Test
  void aTreeThatKeepsForkingIsGoneWithinTwoSeconds() throws Exception {
    // Three levels that never stop forking: the root starts a child shell every 10 ms, each child
    // starts a background sleep (a grandchild) and waits on another.
    String script =
        ": "
            + marker
            + "; while :; do sh -c ': "
            + marker
            + "; sleep 4201 & sleep 4202; :' & sleep 0.01; done";
    Process root = start("sh", "-c", script);
    int pid = (int) root.pid();
    String id = entityOf(pid);
    awaitAtLeast(30); // let it grow

    long t0 = System.nanoTime();
    CommandResult r = run(pid, id, true);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertEquals(CommandResult.Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    int killed = Integer.parseInt(r.getFactsOrThrow("killed"));
    assertTrue(killed >= 30, "killed " + killed);
    // The action returns SUCCEEDED only after every member's pidfd reported its exit, so the
    // issue's "gone within 2 s" is the call's own duration. Measured here: tens of ms.
    assertTrue(millis < 2000, "tree gone after " + millis + " ms");
    assertEquals(List.of(), withMarker(), "no process of the tree is left");
    System.out.println("forking tree of " + killed + " processes killed in " + millis + " ms");
  }

  @Test
  void aTightForkLoopIsGoneWithinTwoSeconds() throws Exception {
    // No pause between forks: the root forks as fast as the machine lets it.
    Process root = start("sh", "-c", ": " + marker + "; while :; do sleep 4205 & done");
    int pid = (int) root.pid();
    String id = entityOf(pid);
    awaitAtLeast(50);

    long t0 = System.nanoTime();
    CommandResult r = run(pid, id, true);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertEquals(CommandResult.Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    assertTrue(millis < 2000, "tree gone after " + millis + " ms"); // the bound
    assertEquals(List.of(), withMarker(), "no process of the tree is left");
    System.out.println(
        "fork loop of " + r.getFactsOrThrow("killed") + " processes killed in " + millis + " ms");
  }

  @Test
  void aTreeLargerThanTheLimitIsKilledAsFarAsHeldAndReportedAsFailed() throws Exception {
    Process root = start("sh", "-c", ": " + marker + "; while :; do sleep 4205 & sleep 0.01; done");
    int pid = (int) root.pid();
    String id = entityOf(pid);
    awaitAtLeast(10);
    KillAction small =
        new KillAction(
            PROC,
            boot,
            ProcessHandle.current().pid(),
            5,
            KillAction.DEFAULT_FREEZE_BUDGET,
            KillAction.DEFAULT_EXIT_WAIT);
    Command c =
        Command.newBuilder()
            .setCommandId("c2")
            .setKill(Kill.newBuilder().setPid(pid).setEntityId(id).setTree(true))
            .build();
    CommandResult.Builder r = CommandResult.newBuilder();

    IOException e = assertThrows(IOException.class, () -> small.run(c, r));

    assertTrue(e.getMessage().contains("more than 5 processes"), e.getMessage());
    assertEquals("5", r.getFactsOrThrow("killed"));
    assertTrue(root.waitFor(5, TimeUnit.SECONDS), "the root was among those killed");
  }

  @Test
  void aSingleKillLeavesTheChildrenAlone() throws Exception {
    Process root = start("sh", "-c", ": " + marker + "; sleep 4203 & sleep 4204; :");
    awaitAtLeast(3);
    int pid = (int) root.pid();

    CommandResult r = run(pid, entityOf(pid), false);

    assertEquals(CommandResult.Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    assertTrue(root.waitFor(5, TimeUnit.SECONDS));
    assertEquals(2, withMarker().size(), "both sleeps still run: " + withMarker());
  }

  private CommandResult run(int pid, String entityId, boolean tree) throws Exception {
    Command c =
        Command.newBuilder()
            .setCommandId("c1")
            .setKill(Kill.newBuilder().setPid(pid).setEntityId(entityId).setTree(tree))
            .build();
    CommandResult.Builder r = CommandResult.newBuilder().setCommandId("c1");
    action.run(c, r);
    return r.build();
  }

  private String refusal(int pid, String entityId, boolean tree) {
    return assertThrows(ActionRefusedException.class, () -> run(pid, entityId, tree)).getMessage();
  }

  private Process start(String... argv) throws IOException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    started.add(p);
    return p;
  }

  private String entityOf(int pid) {
    return entityOf(pid, 1);
  }

  private String entityOf(int pid, int generation) {
    return EntityIds.of(boot.bootId(), pid, reader.startTicks(pid).orElseThrow(), generation);
  }

  /** Live (not zombie) processes whose command line holds the marker or a test sleep. */
  private List<Integer> withMarker() throws IOException {
    List<Integer> out = new ArrayList<>();
    for (int pid : ProcPids.list(PROC)) {
      String cmdline;
      try {
        cmdline =
            new String(Files.readAllBytes(PROC.resolve(pid + "/cmdline")), StandardCharsets.UTF_8)
                .replace('\0', ' ');
      } catch (IOException e) {
        continue;
      }
      if (cmdline.contains(marker) || cmdline.matches("sleep 420[1-5] ")) {
        out.add(pid);
      }
    }
    return out;
  }

  private void awaitAtLeast(int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (withMarker().size() < n) {
      assertTrue(System.nanoTime() < deadline, "the test processes did not start");
      Thread.sleep(20);
    }
  }
}
