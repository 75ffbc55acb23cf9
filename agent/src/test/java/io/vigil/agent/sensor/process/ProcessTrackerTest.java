package io.vigil.agent.sensor.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.process.procfs.EntityIds;
import io.vigil.agent.sensor.process.procfs.ProcSnapshot;
import io.vigil.agent.sensor.process.table.ProcessEntry;
import io.vigil.agent.sensor.process.table.ProcessTable;
import io.vigil.proto.v1.ProcessExec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The table's life-cycle rules against a host with no live processes: pid reuse behind an exited
 * entry, and how much command line the table keeps. Audit execs are built from kernel-format
 * records (event time 1700000100.250, boot at 1700000000, 100 ticks a second).
 */
class ProcessTrackerTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long EXEC_WALL = 1_700_000_100_250_000_000L;
  private static final long EXEC_TICKS = 10_025;

  @TempDir Path dir;
  private ProcessTable table;
  private ProcessTracker tracker;
  private AuditExecs execs;

  @BeforeEach
  void setUp() throws IOException {
    TrackerFixture f = TrackerFixture.on(dir);
    table = f.table();
    tracker = f.tracker();
    execs = f.execs();
  }

  private static ProcSnapshot running(int pid, int ppid, String exe, long ticks) {
    return new ProcSnapshot(
        pid,
        exe,
        false,
        new ProcSnapshot.Argv(List.of(exe), false),
        "/",
        ppid,
        'S',
        ticks,
        "",
        Optional.of(new ProcSnapshot.Credentials(0, 0, 0, 0, 0, 0, 0, 0)),
        OptionalLong.empty(),
        OptionalLong.empty(),
        "");
  }

  /** pid 4000 runs bash; pid 4001 ran /usr/bin/old-daemon (exec'd) and exited at {@code exitNs}. */
  private void previousHolderExitedAt(long exitNs) {
    tracker.discovered(running(4000, 1, "/bin/bash", 100), "-bash");
    tracker.discovered(running(4001, 1, "/usr/bin/old-daemon", 200), "old-daemon --serve");
    tracker.onExit(4001, exitNs);
  }

  @Test
  void anAuditExecAfterThePreviousHolderExitedIsANewProcessNotItsNextImage() {
    previousHolderExitedAt(EXEC_WALL - 10 * SECOND);

    // A short-lived child of bash reused 4001; its fork is not handled yet (or was lost).
    ProcessExec exec =
        execs.build(AuditLines.exec(900, 4001, 4000, "/bin/echo", "0100755", "echo", "hi")).get();

    assertEquals(EntityIds.of(FakeHost.BOOT_ID, 4001, EXEC_TICKS), exec.getProcess().getEntityId());
    assertFalse(exec.getExecWithoutFork());
    assertEquals("/bin/bash", exec.getParent().getImage(), "its parent, not the old image");
    ProcessEntry now = table.get(4001).orElseThrow();
    assertEquals(EXEC_TICKS, now.startTicks());
    assertEquals(1, now.execGeneration());
    assertFalse(now.exited());
  }

  @Test
  void anExecRecordOlderThanTheExitStillBelongsToTheExitedProcess() {
    // kauditd delivers the exec record after the proc connector's exit of the same process.
    tracker.discovered(running(4000, 1, "/bin/bash", 100), "-bash");
    tracker.onFork(4000, 4001, OptionalLong.of(10_000), 0);
    tracker.onExit(4001, EXEC_WALL + SECOND);

    ProcessExec exec =
        execs.build(AuditLines.exec(901, 4001, 4000, "/bin/echo", "0100755", "echo", "hi")).get();

    assertEquals(EntityIds.of(FakeHost.BOOT_ID, 4001, 10_000), exec.getProcess().getEntityId());
    assertTrue(table.get(4001).orElseThrow().exited());
    assertEquals("/bin/echo", table.get(4001).orElseThrow().image());
  }

  @Test
  void aForkWithoutStartTicksAfterThePreviousHolderExitedMakesANewEntry() {
    previousHolderExitedAt(EXEC_WALL - 10 * SECOND);

    ProcessEntry child = tracker.onFork(4000, 4001, OptionalLong.empty(), 300 * SECOND);

    assertEquals(30_000, child.startTicks(), "estimated from the fork's kernel time");
    assertFalse(child.startTicksExact());
    assertEquals(EntityIds.of(FakeHost.BOOT_ID, 4001, 30_000), child.entityId());
    assertEquals("/bin/bash", child.image());
    assertEquals(0, child.execGeneration());
    assertFalse(child.exited());
    assertEquals(child, table.get(4001).orElseThrow());
  }

  @Test
  void theExecKeepsItsWholeCommandLineWhileTheTableAndItsChildrenSeeOneKib() {
    tracker.discovered(running(4000, 1, "/bin/bash", 100), "-bash");
    tracker.onFork(4000, 4001, OptionalLong.of(5000), 0);
    String arg = "A".repeat(20_000);

    ProcessExec exec =
        execs.build(AuditLines.exec(902, 4001, 4000, "/bin/sh", "0100755", "sh", arg)).get();
    ProcessEntry child = tracker.onFork(4001, 4002, OptionalLong.of(6000), 0);
    ProcessExec again =
        execs.build(AuditLines.exec(903, 4001, 4000, "/bin/echo", "0100755", "echo")).get();

    assertEquals("sh " + arg, exec.getProcess().getCommandLine());
    assertEquals(List.of("sh", arg), exec.getArgsList());
    assertEquals(("sh " + arg).substring(0, 1024), child.commandLine(), "a forked copy");
    assertEquals(("sh " + arg).substring(0, 1024), again.getParent().getCommandLine());
  }
}
