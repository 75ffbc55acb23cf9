package io.vigil.agent.uninstall;

import io.vigil.agent.status.ProcessIdentity;
import io.vigil.agent.status.RunRecord;
import io.vigil.common.time.WallClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stops the agent that the state directory's run record says still runs: SIGTERM, then SIGKILL
 * after the grace period. On a host without systemd nothing else stops it, and a running agent
 * would put back the table {@code release-host} deletes (it restores tampered tables). The pid is
 * trusted only when that process is a {@code vigil-agent run} with the recorded {@link
 * ProcessIdentity} (same boot, same start tick), so a reused pid is never signalled and a clock
 * step cannot hide the agent. A record from an older agent has no identity: then the process's
 * start, derived from the boot time, must be no later than the recorded wall-clock start; when it
 * is later yet the command line is an agent's, it is reported as a failure with how to stop it by
 * hand, never as "not running". Blocks up to the grace period plus 10 s.
 */
final class RunningAgentStop {
  /** Slack for the comparison of the process's start (clock ticks) with the recorded start. */
  private static final Duration CLOCK_SLACK = Duration.ofSeconds(2);

  private static final Duration AFTER_KILL = Duration.ofSeconds(10);
  private static final Pattern BTIME = Pattern.compile("(?m)^btime (\\d{1,19})$");

  /** What the recorded pid is now. */
  enum Match {
    /** No such process. */
    GONE,
    /** Another process (not an agent's {@code run}, or an agent of another boot or start). */
    OTHER,
    /** The recorded agent. */
    THAT_AGENT,
    /** An agent's {@code run} that an old record cannot confirm or exclude (clock stepped?). */
    UNSURE
  }

  private final Path stateDir;
  private final Duration grace;
  private final Path proc;

  /**
   * @param stateDir {@code agent.state_dir}
   * @param grace how long the agent may take to stop after SIGTERM
   */
  RunningAgentStop(Path stateDir, Duration grace) {
    this(stateDir, grace, Path.of("/proc"));
  }

  RunningAgentStop(Path stateDir, Duration grace, Path proc) {
    this.stateDir = stateDir;
    this.grace = grace;
    this.proc = proc;
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
    Match match =
        pid == ProcessHandle.current().pid() ? Match.OTHER : identify(proc, recorded.get());
    switch (match) {
      case GONE:
        return Step.done("agent: not running (pid " + pid + " of its last run is gone)");
      case OTHER:
        return Step.done(
            "agent: not running (pid " + pid + " of its last run now belongs to another process)");
      case UNSURE:
        return Step.failed(
            "agent: pid "
                + pid
                + " runs a vigil-agent whose start does not match the run record in "
                + stateDir
                + " (written by an older agent, without a boot-relative start; the clock may have"
                + " been stepped); not signalled. If it is the agent of this state directory, stop"
                + " it by hand (kill "
                + pid
                + "), then run release-host again");
      case THAT_AGENT:
      default:
        break;
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

  /**
   * What the recorded pid is now, as {@code proc} (normally {@code /proc}) shows it: not an agent's
   * {@code run} is {@link Match#OTHER}; with a recorded identity, the same boot and start tick is
   * {@link Match#THAT_AGENT} and anything else {@link Match#OTHER}; without one (an older agent's
   * record), a start no later than the recorded one (2 s slack) or an unknown start is {@link
   * Match#THAT_AGENT}, a later one {@link Match#UNSURE}.
   */
  static Match identify(Path proc, RunRecord.Recorded recorded) {
    long pid = recorded.pid();
    Optional<List<String>> argv = cmdline(proc, pid);
    if (argv.isEmpty()) {
      return Match.GONE;
    }
    boolean agent =
        argv.get().stream()
            .anyMatch(a -> a.endsWith("vigil-agent.jar") || a.equals("io.vigil.agent.AgentMain"));
    if (!agent || !argv.get().contains("run")) {
      return Match.OTHER;
    }
    if (recorded.identity().isPresent()) {
      Optional<ProcessIdentity> now = ProcessIdentity.read(proc, pid);
      if (now.isPresent()) {
        return now.get().equals(recorded.identity().get()) ? Match.THAT_AGENT : Match.OTHER;
      }
      // Unreadable now (cannot happen for a live process we may read): the old comparison.
    }
    Optional<Instant> started = startInstant(proc, pid);
    if (started.isEmpty()
        || !started.get().isAfter(WallClock.toInstant(recorded.startedNs()).plus(CLOCK_SLACK))) {
      return Match.THAT_AGENT;
    }
    return Match.UNSURE;
  }

  /**
   * The process's start on the wall clock as the kernel reports it now: boot time ({@code btime},
   * itself derived from the current clock, so it moves when the clock is stepped) plus its start
   * ticks. Only for records without an identity.
   */
  private static Optional<Instant> startInstant(Path proc, long pid) {
    Optional<Long> ticks = ProcessIdentity.startTicks(proc, pid);
    if (ticks.isEmpty()) {
      return Optional.empty();
    }
    try {
      Matcher m = BTIME.matcher(Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII));
      if (!m.find()) {
        return Optional.empty();
      }
      long ms = ticks.get() * 1000 / ProcessIdentity.TICKS_PER_SECOND;
      return Optional.of(Instant.ofEpochSecond(Long.parseLong(m.group(1))).plusMillis(ms));
    } catch (IOException | NumberFormatException | java.time.DateTimeException e) {
      return Optional.empty();
    }
  }

  /** The process's argv, empty when it is gone or unreadable. */
  private static Optional<List<String>> cmdline(Path proc, long pid) {
    try {
      String raw =
          new String(
              Files.readAllBytes(proc.resolve(Long.toString(pid)).resolve("cmdline")),
              StandardCharsets.UTF_8);
      return Optional.of(Arrays.asList(raw.split("\0")));
    } catch (IOException e) {
      return Optional.empty();
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
