package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.AuditMessage;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.testkit.AuditRules;
import io.vigil.testkit.Child;
import io.vigil.testkit.EventText;
import io.vigil.testkit.Host;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exec events from the real kernel (audit + proc connector + /proc), as root, read back from the
 * collector's store: exact argv, identity, parent, cwd, hash; completeness of an unpaced loop; the
 * argv limit. One collector and agent for the class.
 */
@Tag("kernel")
class ProcessExecTest {
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
  void shellExecHasExactArgvImageParentUserAuditIdsCwdAndHash() throws Exception {
    Path cwd = Files.createDirectories(dir.resolve("vigil-test-cwd-echo")).toRealPath();
    String script = "echo vigil-test-$RANDOM";
    Child sh = Child.start(cwd, "sh", "-c", script);
    String printed = sh.output().trim();
    assertTrue(printed.startsWith("vigil-test-"), "the shell printed: " + printed);

    List<String> argv = List.of("sh", "-c", script);
    ProcessExec x =
        run.awaitExec(
            "exec of sh (pid " + sh.pid() + ") with args " + argv,
            e -> e.getProcess().getPid() == sh.pid() && e.getArgsList().equals(argv));
    String shown = "\n" + EventText.of(x);
    Path image = Path.of("/bin/sh").toRealPath();
    assertEquals(argv, x.getArgsList(), "argv exactly as passed, unexpanded" + shown);
    assertEquals("audit", x.getSource(), "arguments from audit, not a /proc fallback" + shown);
    assertFalse(x.getArgsTruncated(), shown);
    assertEquals(image.toString(), x.getProcess().getImage(), "resolved image" + shown);
    assertEquals(0, x.getProcess().getUid(), shown);
    assertEquals("root", x.getProcess().getUser(), shown);
    assertEquals(Host.loginUid(), Integer.toUnsignedLong(x.getAuid()), "auid" + shown);
    assertEquals(Host.sessionId(), Integer.toUnsignedLong(x.getSessionId()), "session" + shown);
    assertEquals(cwd.toString(), x.getCwd(), "cwd = the ProcessBuilder's directory" + shown);
    assertEquals(Host.sha256(image), x.getSha256(), "SHA-256 of " + image + shown);
    ParentChain.assertParentIsTestJvm(run, x);
  }

  @Test
  void aUserSpaceAuditMessageIsKeptAsAnAuditEvent() throws Exception {
    Assumptions.assumeTrue(AuditRules.available(), "auditctl is not installed");
    String text = RUN + "-note hello";
    Child auditctl = Child.start(dir, "/usr/sbin/auditctl", "-m", text);
    auditctl.output();
    AuditMessage m =
        run.awaitAuditMessage(
            "audit message with text '" + text + "' from auditctl (pid " + auditctl.pid() + ")",
            x ->
                x.getRecordsList().stream()
                    .anyMatch(r -> r.getFieldsMap().toString().contains(text)));
    String shown = "\n" + m;
    assertEquals("USER", m.getType(), shown);
    assertEquals(auditctl.pid(), m.getProcess().getPid(), "the sending process" + shown);
    assertEquals("success", m.getResult(), shown);
    assertEquals(Host.loginUid(), Integer.toUnsignedLong(m.getAuid()), "auid" + shown);
  }

  @Test
  void everyExecOfAnUnpausedLoopOf500IsStoredWithItsArgument() throws Exception {
    int n = 500;
    String prefix = RUN + "-loop-";
    Child loop =
        Child.start(
            dir, "sh", "-c", "for i in $(seq 1 " + n + "); do /bin/true " + prefix + "$i; done");
    loop.output();
    List<ProcessExec> found;
    try {
      found =
          run.awaitExecs(
              "all " + n + " loop execs", e -> isLoopExec(e, prefix), l -> count(l, prefix) >= n);
    } catch (AssertionError e) {
      List<ProcessExec> got = run.store().execsWithArg(prefix);
      throw new AssertionError(
          "found "
              + count(got, prefix)
              + " of "
              + n
              + " execs with their argument; missing "
              + missing(got, prefix, n)
              + "\n"
              + e.getMessage(),
          e);
    }
    assertEquals(n, count(found, prefix), "completeness: distinct loop numbers stored");
    assertEquals(n, found.size(), "each exec stored once, found " + found.size() + " events");
    for (ProcessExec x : found) {
      assertEquals(
          Path.of("/bin/true").toRealPath().toString(), x.getProcess().getImage(), EventText.of(x));
    }
  }

  @Test
  void argumentOf100KiBIsReassembledUpToTheLimitAndFlaggedTruncated() throws Exception {
    String tag = RUN + "-big";
    String big = "x".repeat(100 * 1024);
    Child.start(dir, "/bin/true", tag, big).output();
    ProcessExec x = run.awaitExec("exec with argument " + tag, e -> e.getArgsList().contains(tag));
    String shown = "\n" + EventText.of(x);
    assertTrue(x.getArgsTruncated(), "args_truncated" + shown);
    long bytes = 0;
    for (String a : x.getArgsList()) {
      bytes += a.getBytes(StandardCharsets.UTF_8).length + 1; // + separator, as the limit counts
    }
    assertTrue(bytes <= 32 * 1024 + 64, "argv bytes " + bytes + " exceed the 32 KiB limit" + shown);
    assertTrue(
        bytes >= 32 * 1024 - 64, "argv bytes " + bytes + ": not filled to the limit" + shown);
    assertEquals(3, x.getArgsCount(), shown);
    assertEquals("/bin/true", x.getArgs(0), shown);
    String kept = x.getArgs(2);
    assertTrue(!kept.isEmpty() && big.startsWith(kept), "the stored prefix of the big argument");
  }

  static boolean isLoopExec(ProcessExec e, String prefix) {
    return e.getArgsCount() == 2 && e.getArgs(1).startsWith(prefix);
  }

  static int count(List<ProcessExec> execs, String prefix) {
    return numbers(execs, prefix).cardinality();
  }

  private static BitSet numbers(List<ProcessExec> execs, String prefix) {
    BitSet seen = new BitSet();
    for (ProcessExec e : execs) {
      if (isLoopExec(e, prefix)) {
        try {
          seen.set(Integer.parseInt(e.getArgs(1).substring(prefix.length())));
        } catch (NumberFormatException ignored) {
          // not one of ours: counted as not found
        }
      }
    }
    return seen;
  }

  private static String missing(List<ProcessExec> execs, String prefix, int n) {
    BitSet m = new BitSet();
    m.set(1, n + 1);
    m.andNot(numbers(execs, prefix));
    List<Integer> first = new ArrayList<>();
    m.stream().limit(30).forEach(first::add);
    return first + (m.cardinality() > 30 ? " ..." : "");
  }
}
