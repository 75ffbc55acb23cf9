package io.vigil.agent.uninstall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.status.ProcessIdentity;
import io.vigil.agent.status.RunRecord;
import io.vigil.agent.uninstall.RunningAgentStop.Match;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code release-host} tells the recorded agent from a process that reused its pid, on a
 * fixture {@code /proc} (boot id, {@code btime}, the pid's {@code stat} and {@code cmdline}): the
 * boot-relative identity decides, whatever the wall clock did; records of older agents fall back to
 * the wall-clock start and report a mismatching agent as a failure, not as "not running". The
 * signalling cases use a real child process that the fixture describes.
 */
class RunningAgentStopTest {
  private static final String BOOT = "0b7e0d6a-52a8-4a41-9d51-1c2b3d4e5f60";
  private static final String OTHER_BOOT = "9c1f2e3d-0000-4a41-9d51-1c2b3d4e5f60";
  private static final String AGENT_ARGV =
      "/usr/bin/java\0-Xmx64m\0-jar\0/usr/lib/vigil/agent/lib/vigil-agent.jar\0run\0--config\0"
          + "/etc/vigil/agent.yaml\0";

  /** Boot at 1 700 000 000 s; the agent started 50 s (5000 ticks) later. */
  private static final long BTIME = 1_700_000_000L;

  private static final long TICKS = 5000;
  private static final long STARTED_NS = (BTIME + 50) * 1_000_000_000L;

  @TempDir Path dir;
  private Process child;

  @AfterEach
  void stopChild() {
    if (child != null) {
      child.destroyForcibly();
    }
  }

  private Path proc(long pid, String argv, long ticks, long btime) throws Exception {
    Path proc = dir.resolve("proc");
    Files.createDirectories(proc.resolve("sys/kernel/random"));
    Files.writeString(proc.resolve("sys/kernel/random/boot_id"), BOOT + "\n");
    Files.writeString(proc.resolve("stat"), "cpu  1 2 3 4\nbtime " + btime + "\nprocesses 9\n");
    Path p = Files.createDirectories(proc.resolve(Long.toString(pid)));
    Files.writeString(p.resolve("cmdline"), argv, StandardCharsets.UTF_8);
    Files.writeString(
        p.resolve("stat"),
        pid
            + " (java (odd) name) S 1 "
            + pid
            + " "
            + pid
            + " 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 30 0 "
            + ticks
            + " 1000 200 18446744073709551615 1 1 0 0 0 0 0 0 0\n");
    return proc;
  }

  /**
   * Starts {@code child} and returns a fixture {@code /proc} that describes it as the agent, with
   * the clock stepped forward an hour since boot.
   */
  private Path agentChildAfterAClockStep() throws Exception {
    child = new ProcessBuilder("sleep", "600").start();
    return proc(child.pid(), AGENT_ARGV, TICKS, BTIME + 3600);
  }

  private static RunRecord.Recorded withIdentity(long pid, String boot, long ticks) {
    return new RunRecord.Recorded(STARTED_NS, pid, Optional.of(new ProcessIdentity(boot, ticks)));
  }

  @Test
  void readsFieldTwentyTwoAfterACommandNameWithParentheses() throws Exception {
    Path proc = proc(321, AGENT_ARGV, TICKS, BTIME);
    assertEquals(Optional.of(new ProcessIdentity(BOOT, TICKS)), ProcessIdentity.read(proc, 321));
    assertEquals(Optional.empty(), ProcessIdentity.read(proc, 322), "no such pid");
  }

  @Test
  void theIdentityDecidesWhateverTheClockDid() throws Exception {
    // The clock was stepped forward by an hour after boot: btime, and with it the start that the
    // wall clock derives, is now an hour later than the agent's recorded start.
    Path proc = proc(321, AGENT_ARGV, TICKS, BTIME + 3600);
    assertEquals(Match.THAT_AGENT, RunningAgentStop.identify(proc, withIdentity(321, BOOT, TICKS)));
    assertEquals(
        Match.OTHER,
        RunningAgentStop.identify(proc, withIdentity(321, BOOT, TICKS - 1)),
        "another start tick: another process with that pid");
    assertEquals(
        Match.OTHER,
        RunningAgentStop.identify(proc, withIdentity(321, OTHER_BOOT, TICKS)),
        "a record of an earlier boot");
    assertEquals(
        Match.GONE, RunningAgentStop.identify(proc, withIdentity(999, BOOT, TICKS)), "no pid 999");
  }

  @Test
  void aProcessThatIsNotAnAgentRunIsNeverThatAgent() throws Exception {
    Path proc = proc(321, "/bin/sleep\0600\0", TICKS, BTIME);
    assertEquals(Match.OTHER, RunningAgentStop.identify(proc, withIdentity(321, BOOT, TICKS)));
    Path proc2 =
        proc(
            322,
            "/usr/bin/java\0-jar\0/usr/lib/vigil/agent/lib/vigil-agent.jar\0release-host\0",
            TICKS,
            BTIME);
    assertEquals(Match.OTHER, RunningAgentStop.identify(proc2, withIdentity(322, BOOT, TICKS)));
  }

  @Test
  void anOlderRecordFallsBackToTheWallClockAndIsUnsureAfterAStep() throws Exception {
    RunRecord.Recorded old = new RunRecord.Recorded(STARTED_NS, 321, Optional.empty());
    assertEquals(
        Match.THAT_AGENT,
        RunningAgentStop.identify(proc(321, AGENT_ARGV, TICKS, BTIME), old),
        "started when recorded");
    assertEquals(
        Match.THAT_AGENT,
        RunningAgentStop.identify(proc(321, AGENT_ARGV, TICKS, BTIME + 1), old),
        "within the slack");
    assertEquals(
        Match.UNSURE,
        RunningAgentStop.identify(proc(321, AGENT_ARGV, TICKS, BTIME + 3600), old),
        "an hour later: stepped clock or another agent");
    assertEquals(
        Match.OTHER,
        RunningAgentStop.identify(proc(321, "/bin/sleep\0600\0", TICKS, BTIME + 3600), old));
  }

  @Test
  void stopsTheRecordedProcessAfterAClockStep() throws Exception {
    Path proc = agentChildAfterAClockStep();
    long pid = child.pid();
    Path state = Files.createDirectory(dir.resolve("state"));
    RunRecord.begin(state, STARTED_NS, pid, Optional.of(new ProcessIdentity(BOOT, TICKS)));

    Step s = new RunningAgentStop(state, Duration.ofSeconds(30), proc).run();

    assertFalse(s.failed(), s.line());
    assertTrue(s.line().contains("stopped pid " + pid + " with SIGTERM"), s.line());
    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the process got SIGTERM");
  }

  @Test
  void anOlderRecordThatCannotConfirmTheAgentIsAFailureAndSignalsNothing() throws Exception {
    Path proc = agentChildAfterAClockStep();
    long pid = child.pid();
    Path state = Files.createDirectory(dir.resolve("state"));
    Files.writeString(state.resolve("running"), "started_ns=" + STARTED_NS + " pid=" + pid + "\n");

    Step s = new RunningAgentStop(state, Duration.ofSeconds(30), proc).run();

    assertTrue(s.failed(), s.line());
    assertTrue(s.line().contains("pid " + pid), s.line());
    assertTrue(s.line().contains("kill " + pid), s.line());
    assertTrue(child.isAlive(), "not signalled");
  }
}
