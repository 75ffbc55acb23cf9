package io.vigil.agent.uninstall;

import io.vigil.agent.status.RunRecord;
import io.vigil.common.time.WallClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stops the agent that the state directory's run record says still runs: SIGTERM, then SIGKILL
 * after the grace period. On a host without systemd nothing else stops it, and a running agent
 * would put back the table {@code release-host} deletes (it restores tampered tables). The pid is
 * trusted only when that process is a {@code vigil-agent run} that started no later than the
 * record, so a reused pid is never signalled. Blocks up to the grace period plus 10 s.
 */
final class RunningAgentStop {
  /** Slack for the comparison of the process's start (clock ticks) with the recorded start. */
  private static final Duration CLOCK_SLACK = Duration.ofSeconds(2);

  private static final Duration AFTER_KILL = Duration.ofSeconds(10);

  private final Path stateDir;
  private final Duration grace;

  /**
   * @param stateDir {@code agent.state_dir}
   * @param grace how long the agent may take to stop after SIGTERM
   */
  RunningAgentStop(Path stateDir, Duration grace) {
    this.stateDir = stateDir;
    this.grace = grace;
  }

  Step run() {
    Optional<RunRecord.Recorded> recorded;
    try {
      recorded = RunRecord.recordedRun(stateDir);
    } catch (IOException e) {
      return Step.failed(
          "agent: cannot read the run record in " + stateDir + ": " + e.getMessage());
    }
    if (recorded.isEmpty()) {
      return Step.done("agent: not running (no run record in " + stateDir + ")");
    }
    long pid = recorded.get().pid();
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return Step.done("agent: not running (pid " + pid + " of its last run is gone)");
    }
    ProcessHandle p = handle.get();
    if (pid == ProcessHandle.current().pid() || !isThatAgent(p, recorded.get().startedNs())) {
      return Step.done(
          "agent: not running (pid " + pid + " of its last run now belongs to another process)");
    }
    long t0 = System.nanoTime();
    if (!p.destroy() && p.isAlive()) {
      return Step.failed(
          "agent: could not send SIGTERM to pid " + pid + "; stop it by hand: kill " + pid);
    }
    if (awaitExit(p, grace)) {
      return Step.done("agent: stopped pid " + pid + " with SIGTERM" + after(t0));
    }
    p.destroyForcibly();
    if (awaitExit(p, AFTER_KILL)) {
      return Step.done(
          "agent: pid "
              + pid
              + " did not stop within "
              + grace.toSeconds()
              + " s of SIGTERM; killed it with SIGKILL"
              + after(t0));
    }
    return Step.failed(
        "agent: pid " + pid + " survives SIGTERM and SIGKILL; stop it by hand: kill -9 " + pid);
  }

  /** True when {@code p} runs {@code vigil-agent run} and started before the record was written. */
  private static boolean isThatAgent(ProcessHandle p, long recordedStartNs) {
    List<String> argv = cmdline(p.pid());
    boolean agent =
        argv.stream()
            .anyMatch(a -> a.endsWith("vigil-agent.jar") || a.equals("io.vigil.agent.AgentMain"));
    if (!agent || !argv.contains("run")) {
      return false;
    }
    Optional<Instant> started = p.info().startInstant();
    return started.isEmpty()
        || !started.get().isAfter(WallClock.toInstant(recordedStartNs).plus(CLOCK_SLACK));
  }

  private static List<String> cmdline(long pid) {
    try {
      String raw =
          new String(
              Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
              StandardCharsets.UTF_8);
      return Arrays.asList(raw.split("\0"));
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static boolean awaitExit(ProcessHandle p, Duration timeout) {
    try {
      p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return !p.isAlive();
    } catch (ExecutionException e) {
      return !p.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !p.isAlive();
    }
  }

  private static String after(long t0) {
    return String.format(" (%.1f s)", (System.nanoTime() - t0) / 1e9);
  }
}
