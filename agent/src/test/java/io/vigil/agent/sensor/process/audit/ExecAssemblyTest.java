package io.vigil.agent.sensor.process.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.ProcessExec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExecAssemblyTest {
  private static final String SYSCALL =
      "type=SYSCALL msg=audit(1700000000.250:%d): arch=c000003e syscall=59 success=yes exit=0"
          + " a0=55d1 a1=55d2 a2=55d3 a3=0 items=2 ppid=900 pid=901 auid=4294967295 uid=0"
          + " gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295"
          + " comm=\"sh\" exe=\"/usr/bin/dash\" key=\"exec\"";

  /** Feeds the lines (serial 1) plus an EOE through the assembler and assembles the exec. */
  private static ProcessExec exec(int maxArgvBytes, String... lines) {
    List<AuditEvent> events = new ArrayList<>();
    AuditEventAssembler a = new AuditEventAssembler(4, 1_000_000_000L, 8, events::add);
    for (String line : lines) {
      a.accept(AuditRecordParser.parseLogLine(line), 0);
    }
    a.accept(AuditRecordParser.parseLogLine("type=EOE msg=audit(1700000000.250:1): "), 0);
    assertEquals(1, events.size());
    return new ExecAssembly(maxArgvBytes).assemble(events.get(0)).orElseThrow();
  }

  private static String execve(String fields) {
    return "type=EXECVE msg=audit(1700000000.250:1): " + fields;
  }

  private static String hex(String s) {
    return HexFormat.of().withUpperCase().formatHex(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void idsImageCwdTtyAndParentComeFromTheEvent() {
    ProcessExec e =
        exec(
            ExecAssembly.DEFAULT_MAX_ARGV_BYTES,
            SYSCALL.formatted(1),
            execve("argc=1 a0=\"sh\""),
            "type=CWD msg=audit(1700000000.250:1): cwd=2F746D702F6D7920646972");

    assertEquals(901, e.getProcess().getPid());
    assertEquals(900, e.getParent().getPid());
    assertEquals("/usr/bin/dash", e.getProcess().getImage());
    assertEquals("/tmp/my dir", e.getCwd(), "hex-encoded because of the space");
    assertEquals(-1, e.getAuid(), "4294967295: unset");
    assertEquals(-1, e.getSessionId());
    assertEquals("(none)", e.getTty());
    assertEquals("audit", e.getSource());
    assertFalse(e.getArgsTruncated());
  }

  @Test
  void hexEncodedArgumentsWithQuotesAndSpacesAreDecoded() {
    ProcessExec e =
        exec(
            100,
            SYSCALL.formatted(1),
            execve("argc=3 a0=\"sh\" a1=\"-c\" a2=" + hex("echo \"a b\"; id")));

    assertEquals(List.of("sh", "-c", "echo \"a b\"; id"), e.getArgsList());
    assertEquals("sh -c echo \"a b\"; id", e.getProcess().getCommandLine());
  }

  @Test
  void splitArgumentIsReassembledInOrderAcrossRecords() {
    ProcessExec e =
        exec(
            ExecAssembly.DEFAULT_MAX_ARGV_BYTES,
            SYSCALL.formatted(1),
            execve("argc=3 a0=\"cat\" a1_len=10 a1[0]=" + hex("01234")),
            execve("a1[1]=\"56789\" a2=\"end\""));

    assertEquals(List.of("cat", "0123456789", "end"), e.getArgsList());
    assertFalse(e.getArgsTruncated());
  }

  @Test
  void aMissingPieceOfASplitArgumentMarksTheArgumentsTruncated() {
    ProcessExec e =
        exec(
            ExecAssembly.DEFAULT_MAX_ARGV_BYTES,
            SYSCALL.formatted(1),
            execve("argc=3 a0=\"cat\" a1_len=10 a1[0]=\"01234\""));

    assertEquals(List.of("cat", "01234"), e.getArgsList());
    assertTrue(e.getArgsTruncated());
  }

  @Test
  void a100KiBArgumentIsCutAtTheArgvLimitAndFlagged() {
    List<String> lines = new ArrayList<>();
    lines.add(SYSCALL.formatted(1));
    lines.add(execve("argc=2 a0=\"cat\" a1_len=102400"));
    String chunk = "x".repeat(8192);
    for (int piece = 0; piece < 100 * 1024 / chunk.length(); piece++) {
      lines.add(execve("a1[" + piece + "]=\"" + chunk + "\""));
    }

    ProcessExec e = exec(ExecAssembly.DEFAULT_MAX_ARGV_BYTES, lines.toArray(String[]::new));

    assertTrue(e.getArgsTruncated());
    assertEquals(2, e.getArgsCount());
    assertEquals("cat", e.getArgs(0));
    // 32 KiB budget, one byte per argument counted in: 32768 - 1 - 3 - 1.
    assertEquals(32763, e.getArgs(1).length());
    assertTrue(e.getArgs(1).chars().allMatch(c -> c == 'x'));
  }

  @Test
  void aCutArgumentDoesNotEndInHalfACharacter() {
    // budget 8: "x" costs 2 with its separator, leaving 5 for a1 after its own separator;
    // 5 bytes would split the third two-byte é, so the cut falls before it.
    ProcessExec e = exec(8, SYSCALL.formatted(1), execve("argc=2 a0=\"x\" a1=" + hex("ééé")));

    assertEquals(List.of("x", "éé"), e.getArgsList());
    assertTrue(e.getArgsTruncated());
  }

  @Test
  void invalidUtf8IsEscapedNotDropped() {
    ProcessExec e =
        exec(
            ExecAssembly.DEFAULT_MAX_ARGV_BYTES,
            SYSCALL.formatted(1).replace("exe=\"/usr/bin/dash\"", "exe=2F746D702FFF"),
            execve("argc=2 a0=\"x\" a1=41FE5C42C3A9"));

    assertEquals("A\\xFE\\\\Bé", e.getArgs(1));
    assertEquals("/tmp/\\xFF", e.getProcess().getImage());
  }

  @Test
  void withoutExecveRecordArgvFallsBackToProctitleMarkedTruncated() {
    ProcessExec e =
        exec(
            ExecAssembly.DEFAULT_MAX_ARGV_BYTES,
            SYSCALL.formatted(1),
            "type=PROCTITLE msg=audit(1700000000.250:1): proctitle=617270002D61");

    assertEquals(List.of("arp", "-a"), e.getArgsList());
    assertTrue(e.getArgsTruncated());
  }

  @Test
  void failedOrOtherSyscallsAreNotExecs() {
    AuditRecord failed =
        AuditRecordParser.parseLogLine(
            SYSCALL.formatted(1).replace("success=yes exit=0", "success=no exit=-2"));
    AuditRecord open =
        AuditRecordParser.parseLogLine(SYSCALL.formatted(1).replace("syscall=59", "syscall=2"));
    AuditRecord i386 =
        AuditRecordParser.parseLogLine(SYSCALL.formatted(1).replace("c000003e", "40000003"));

    for (AuditRecord r : List.of(failed, open, i386)) {
      AuditEvent event = new AuditEvent(1, 0, List.of(r), AuditEvent.Ending.EOE, 0);
      assertTrue(new ExecAssembly().assemble(event).isEmpty(), r.toString());
    }
  }
}
