package io.vigil.agent.sensor.process.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.proc.ProcessSelfStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads real child processes from the real {@code /proc}. */
class ProcReaderLiveTest {
  /** argv[0] with a space and a non-ASCII letter, set by bash's {@code exec -a}. */
  private static final String ARGV0 = "vigil wörker";

  private final ProcReader reader = new ProcReader();
  private final List<Process> children = new ArrayList<>();

  @TempDir Path tmp;

  @AfterEach
  void killChildren() throws InterruptedException {
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Starts {@code sleep 30} named {@link #ARGV0} in {@code cwd} and waits until bash has exec'd it,
   * so that the child's pid shows the sleep binary. The bytes of ö come from bash's $'..' quoting,
   * so the test does not depend on the JVM's locale for argument encoding.
   */
  private Process startSleep(Path cwd) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("bash", "-c", "exec -a $'vigil w\\xc3\\xb6rker' sleep 30")
            .directory(cwd.toFile())
            .start();
    children.add(p);
    for (int i = 0; i < 1000; i++) {
      Optional<ProcSnapshot> s = reader.read((int) p.pid());
      if (s.isPresent() && s.get().argv().args().equals(List.of(ARGV0, "30"))) {
        return p;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("child never exec'd sleep: " + reader.read((int) p.pid()));
  }

  @Test
  void childProcessIsReadExactly() throws Exception {
    Path cwd = Files.createDirectories(tmp.resolve("work dir")).toRealPath();
    long before = System.currentTimeMillis();
    Process child = startSleep(cwd);
    long after = System.currentTimeMillis();

    ProcSnapshot s = reader.read((int) child.pid()).orElseThrow();

    assertEquals(Path.of("/usr/bin/sleep").toRealPath(), Path.of(s.exe()).toRealPath());
    assertFalse(s.exeDeleted());
    assertEquals(List.of(ARGV0, "30"), s.argv().args());
    assertFalse(s.argv().truncated());
    assertEquals(cwd.toString(), s.cwd());
    assertEquals(ProcessHandle.current().pid(), s.ppid());
    assertTrue("SR".indexOf(s.state()) >= 0, "state " + s.state());
    long myUid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    ProcSnapshot.Credentials c = s.credentials().orElseThrow();
    assertEquals(myUid, c.uid());
    assertEquals(myUid, c.euid());
    assertEquals(myUid, c.suid());
    assertEquals(myUid, c.fsuid());

    BootTime boot = BootTime.read(Path.of("/proc"), ProcessSelfStats.clockTicks());
    long startMillis = boot.startTimeNanos(s.startTicks()) / 1_000_000;
    // btime has one-second resolution; allow a few seconds either side of the spawn.
    long slack = Duration.ofSeconds(5).toMillis();
    assertTrue(
        startMillis >= before - slack && startMillis <= after + slack,
        "start " + startMillis + " not within [" + before + ", " + after + "]");
  }

  @Test
  void entityIdIsStablePerProcessAndDiffersBetweenProcesses() throws Exception {
    BootTime boot = BootTime.read(Path.of("/proc"), ProcessSelfStats.clockTicks());
    Process one = startSleep(tmp);
    Process two = startSleep(tmp);

    ProcSnapshot a = reader.read((int) one.pid()).orElseThrow();
    ProcSnapshot aAgain = reader.read((int) one.pid()).orElseThrow();
    ProcSnapshot b = reader.read((int) two.pid()).orElseThrow();

    assertEquals(
        boot.entityId(a.pid(), a.startTicks()), boot.entityId(aAgain.pid(), aAgain.startTicks()));
    assertNotEquals(boot.entityId(a.pid(), a.startTicks()), boot.entityId(b.pid(), b.startTicks()));
  }

  @Test
  void reapedProcessReadsAsEmpty() throws Exception {
    Process child = startSleep(tmp);
    int pid = (int) child.pid();

    child.destroyForcibly();
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));

    assertEquals(Optional.empty(), reader.read(pid));
  }

  @Test
  void executableOfARunningProcessIsHashedThroughProcExe() throws Exception {
    Process child = startSleep(tmp);
    ExecutableHashes hashes = new ExecutableHashes();

    Optional<ExecutableHashes.Hashes> viaProc =
        hashes.hash(Path.of("/proc", Long.toString(child.pid()), "exe"));

    assertEquals(new ExecutableHashes().hash(Path.of("/usr/bin/sleep")), viaProc);
    assertEquals(64, viaProc.orElseThrow().sha256().length());
  }
}
