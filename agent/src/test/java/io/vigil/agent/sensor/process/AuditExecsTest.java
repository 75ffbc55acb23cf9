package io.vigil.agent.sensor.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditEventAssembler;
import io.vigil.agent.sensor.process.audit.AuditRecordParser;
import io.vigil.agent.sensor.process.audit.AuditTestData;
import io.vigil.agent.sensor.process.audit.ExecAssembly;
import io.vigil.agent.sensor.process.procfs.EntityIds;
import io.vigil.agent.sensor.process.procfs.FileIdentity;
import io.vigil.agent.sensor.process.procfs.ProcSnapshot;
import io.vigil.proto.v1.ProcessExec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exec events built from kernel-format audit records against a host with no live processes: entity
 * ids, parents, names, hashes and the privileged flag come from the table and the records.
 */
class AuditExecsTest {
  @TempDir Path dir;
  private ProcessTracker tracker;
  private AuditExecs execs;

  @BeforeEach
  void setUp() throws IOException {
    TrackerFixture f = TrackerFixture.on(dir);
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
        Optional.of(new ProcSnapshot.Credentials(1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000)),
        OptionalLong.of(1000),
        OptionalLong.of(3),
        "");
  }

  @Test
  void firstExecAfterForkKeepsTheForkIdAndASecondExecGetsANewIdWithThePreviousImageAsParent()
      throws Exception {
    tracker.discovered(running(4000, 1, "/bin/bash", 100), "-bash");
    tracker.onFork(4000, 4001, OptionalLong.of(5000), 0);

    ProcessExec sh =
        execs.build(AuditLines.exec(500, 4001, 4000, "/bin/sh", "0100755", "sh", "-c", "x")).get();
    ProcessExec echo =
        execs.build(AuditLines.exec(501, 4001, 4000, "/bin/echo", "0100755", "echo", "hi")).get();

    assertEquals(EntityIds.of(FakeHost.BOOT_ID, 4001, 5000), sh.getProcess().getEntityId());
    assertFalse(sh.getExecWithoutFork());
    assertEquals("/bin/bash", sh.getParent().getImage());
    assertEquals("-bash", sh.getParent().getCommandLine());
    assertEquals(EntityIds.of(FakeHost.BOOT_ID, 4000, 100), sh.getParent().getEntityId());
    assertEquals("alice", sh.getParent().getUser());
    assertEquals("alice", sh.getProcess().getUser());
    assertEquals("alice", sh.getGroup());
    assertEquals("sh -c x", sh.getProcess().getCommandLine());
    assertEquals("/tmp", sh.getCwd());
    assertEquals(1000, sh.getAuid());
    assertEquals(3, sh.getSessionId());
    assertEquals((FakeHost.BTIME + 50) * 1_000_000_000L, sh.getProcess().getStartTimeNs());
    assertFalse(sh.getPrivilegedExec());

    assertEquals(EntityIds.of(FakeHost.BOOT_ID, 4001, 5000, 2), echo.getProcess().getEntityId());
    assertNotEquals(sh.getProcess().getEntityId(), echo.getProcess().getEntityId());
    assertTrue(echo.getExecWithoutFork());
    assertEquals(sh.getProcess().getEntityId(), echo.getParent().getEntityId());
    assertEquals("/bin/sh", echo.getParent().getImage());
    assertEquals(4001, echo.getParent().getPid());
    assertEquals(sh.getProcess().getStartTimeNs(), echo.getProcess().getStartTimeNs());
  }

  @Test
  void theProgramIsHashedFromItsPathWhenTheProcessIsGone() throws Exception {
    ProcessExec sh = execs.build(AuditLines.exec(502, 4101, 1, "/bin/sh", "0100755", "sh")).get();

    byte[] content = Files.readAllBytes(Path.of("/bin/sh"));
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    assertEquals(sha256, sh.getSha256());
    assertEquals(32, sh.getMd5().length());
    assertTrue(sh.getExeInode() > 0);
  }

  private static FileIdentity identity(Path file) throws IOException {
    Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino");
    return FileIdentity.ofStat((Long) a.get("dev"), (Long) a.get("ino"));
  }

  @Test
  void aGoneProcessIsHashedFromItsPathOnlyWhenThePathStillHoldsTheExecutedFile() throws Exception {
    Path tool = Files.write(dir.resolve("tool"), new byte[] {1, 2, 3});
    FileIdentity executed = identity(tool);

    ProcessExec same =
        execs.build(AuditLines.exec(510, 4301, 1, tool.toString(), executed, "0100755")).get();
    // After the exec, another file takes the path (both existed at once: the inodes differ).
    Path swapped = Files.write(dir.resolve("swapped"), new byte[] {6, 6, 6});
    Files.move(swapped, tool, StandardCopyOption.REPLACE_EXISTING);
    ProcessExec replaced =
        execs.build(AuditLines.exec(511, 4302, 1, tool.toString(), executed, "0100755")).get();

    String sha256 =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3}));
    assertEquals(sha256, same.getSha256());
    assertEquals(executed.inode(), same.getExeInode());
    assertEquals("", replaced.getSha256());
    assertEquals("", replaced.getMd5());
    assertEquals(0, replaced.getExeInode());
  }

  @Test
  void aFifoAtTheAuditedPathGivesNoHashesAndDoesNotBlock() throws Exception {
    Path fifo = dir.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    // Even naming the FIFO's own identity: only regular files are opened.
    AuditEvent event = AuditLines.exec(512, 4303, 1, fifo.toString(), identity(fifo), "0100755");

    // Guard against a hang only (opening a FIFO without writer blocks); measures nothing.
    ProcessExec exec =
        assertTimeoutPreemptively(Duration.ofMinutes(1), () -> execs.build(event).get());

    assertEquals("", exec.getSha256());
    assertEquals(0, exec.getExeInode());
  }

  @Test
  void setuidModeOrFileCapabilitiesMarkThExecPrivileged() {
    ProcessExec setuid =
        execs.build(AuditLines.exec(503, 4201, 1, "/usr/bin/su", "0104755", "su")).get();
    assertTrue(setuid.getPrivilegedExec());

    AuditEvent plain = AuditLines.exec(504, 4202, 1, "/usr/bin/ping", "0100755", "ping");
    List<io.vigil.agent.sensor.process.audit.AuditRecord> records =
        new ArrayList<>(plain.records());
    records.add(
        AuditRecordParser.parseLogLine(
            "type=BPRM_FCAPS msg=audit(1700000100.250:504): fver=2 fp=0000000000002000 fi=0"
                + " fe=1 old_pp=0 old_pi=0 old_pe=0 pp=0000000000002000 pi=0 pe=0000000000002000"));
    AuditEvent withCaps =
        new AuditEvent(504, plain.timestampNs(), records, AuditEvent.Ending.EOE, 0);
    assertFalse(execs.build(plain).get().getPrivilegedExec());
    assertTrue(execs.build(withCaps).get().getPrivilegedExec());
  }

  @Test
  void seededProcessesCountAsExecdUnlessTheyRunTheirParentsImage() {
    tracker.discovered(running(10, 1, "/bin/bash", 50), "bash");
    tracker.discovered(running(11, 10, "/bin/bash", 60), "bash"); // forked subshell
    tracker.discovered(running(12, 10, "/usr/bin/python3", 70), "python3");

    ProcessExec fromSubshell =
        execs.build(AuditLines.exec(505, 11, 10, "/bin/ls", "0100755", "ls")).get();
    ProcessExec fromPython =
        execs.build(AuditLines.exec(506, 12, 10, "/bin/ls", "0100755", "ls")).get();

    assertFalse(fromSubshell.getExecWithoutFork());
    assertEquals(EntityIds.of(FakeHost.BOOT_ID, 11, 60), fromSubshell.getProcess().getEntityId());
    assertEquals("/bin/bash", fromSubshell.getParent().getImage());
    assertTrue(fromPython.getExecWithoutFork());
    assertEquals("/usr/bin/python3", fromPython.getParent().getImage());
    assertEquals(EntityIds.of(FakeHost.BOOT_ID, 12, 70), fromPython.getParent().getEntityId());
  }

  @Test
  void anExecOfAnUnknownVanishedProcessTakesItsStartFromTheRecordTime() {
    ProcessExec x =
        execs.build(AuditLines.exec(507, 4300, 77, "/bin/true", "0100755", "true")).get();
    // 1700000100.250 is 100.25 s after btime: 10025 ticks at 100 Hz.
    assertEquals(EntityIds.of(FakeHost.BOOT_ID, 4300, 10025), x.getProcess().getEntityId());
    assertEquals(77, x.getParent().getPid());
    assertEquals("", x.getParent().getEntityId());
  }

  @Test
  void execsOfARealAuditdLogKeepTheirRecordFieldsAndGainIdsAndNames() throws IOException {
    List<AuditEvent> events = new ArrayList<>();
    AuditEventAssembler assembler = new AuditEventAssembler(64, 5_000_000_000L, 0, events::add);
    for (byte[] line : AuditTestData.linesOf("sh_arp_cache.zip")) {
      assembler.accept(AuditRecordParser.parseLogLine(line, 0, line.length), 0);
    }
    assembler.flushAll();
    ExecAssembly plain = new ExecAssembly();
    List<String> ids = new ArrayList<>();
    for (AuditEvent e : events) {
      ProcessExec base = plain.assemble(e).orElseThrow();
      ProcessExec full = execs.build(e).orElseThrow();
      assertEquals(base.getArgsList(), full.getArgsList());
      assertEquals(base.getCwd(), full.getCwd());
      assertEquals(base.getSessionId(), full.getSessionId());
      assertEquals(base.getProcess().getImage(), full.getProcess().getImage());
      assertEquals(29002, full.getParent().getPid());
      assertEquals("alice", full.getProcess().getUser(), "uid 1000 in the fixture passwd");
      assertEquals(32, full.getProcess().getEntityId().length());
      ids.add(full.getProcess().getEntityId());
    }
    assertEquals(2, ids.size());
    assertNotEquals(ids.get(0), ids.get(1));
  }
}
