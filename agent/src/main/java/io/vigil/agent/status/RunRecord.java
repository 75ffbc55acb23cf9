package io.vigil.agent.status;

import io.vigil.agent.pki.AtomicFiles;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.AgentStart;
import io.vigil.proto.v1.AgentStart.PreviousStop;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether the agent's previous run stopped cleanly, from two small files in its state directory:
 * {@value #RUNNING} is written when a run starts and deleted as the last step of a clean stop,
 * after {@value #STOPPED} recorded when it stopped. At start, {@value #RUNNING} still there means
 * the previous run ended without stopping (killed, crashed, power lost); else {@value #STOPPED}
 * there means it stopped cleanly; neither means no earlier run. Every write and delete is synced
 * with its directory, so a power loss cannot leave a clean record for a run that did not stop.
 * Blocks on file I/O; one instance per run, used by the start and stop thread.
 */
public final class RunRecord {
  static final String RUNNING = "running";
  static final String STOPPED = "stopped";
  private static final Pattern FIELDS = Pattern.compile("started_ns=(\\d{1,19}) pid=(\\d{1,10})");
  private static final Pattern IDENTITY_FIELDS =
      Pattern.compile("boot_id=(\\S{1,64}) start_ticks=(\\d{1,18})");
  private static final Pattern STOPPED_FIELDS = Pattern.compile("stopped_ns=(\\d{1,19})");

  private final Path stateDir;
  private final AgentStart start;
  private boolean ended;

  private RunRecord(Path stateDir, AgentStart start) {
    this.stateDir = stateDir;
    this.start = start;
  }

  /**
   * Reads how the previous run ended and records that this one ({@code pid}, started at {@code
   * startedNs}) runs.
   *
   * @throws IOException when the record cannot be written (the state directory is not writable)
   */
  public static RunRecord begin(Path stateDir, long startedNs, long pid) throws IOException {
    return begin(stateDir, startedNs, pid, ProcessIdentity.read(Path.of("/proc"), pid));
  }

  /**
   * As {@link #begin(Path, long, long)}, with the process identity given ({@code release-host}
   * compares it, not the wall-clock start, to tell that agent from a process that reused its pid);
   * empty when it could not be read, which leaves the record as an older agent wrote it.
   */
  public static RunRecord begin(
      Path stateDir, long startedNs, long pid, Optional<ProcessIdentity> identity)
      throws IOException {
    AgentStart.Builder s = AgentStart.newBuilder().setStartedNs(startedNs);
    Path running = stateDir.resolve(RUNNING);
    String previous = readOrNull(running);
    if (previous != null) {
      Matcher m = FIELDS.matcher(previous);
      s.setPreviousStop(PreviousStop.PREVIOUS_STOP_UNCLEAN)
          .setDetail(
              m.find()
                  ? "no clean-stop record: the previous run (pid "
                      + m.group(2)
                      + ") started at "
                      + instant(m.group(1))
                      + " and ended without stopping (killed, crashed or power lost)"
                  : "no clean-stop record: the previous run ended without stopping (killed,"
                      + " crashed or power lost); its start record is unreadable");
    } else {
      String stopped = readOrNull(stateDir.resolve(STOPPED));
      if (stopped != null) {
        Matcher m = STOPPED_FIELDS.matcher(stopped);
        s.setPreviousStop(PreviousStop.PREVIOUS_STOP_CLEAN)
            .setDetail(
                m.find()
                    ? "the previous run stopped cleanly at " + instant(m.group(1))
                    : "the previous run stopped cleanly");
      } else {
        s.setPreviousStop(PreviousStop.PREVIOUS_STOP_FIRST_START)
            .setDetail("no earlier run recorded in this state directory");
      }
    }
    AtomicFiles.write(
        running,
        "started_ns="
            + startedNs
            + " pid="
            + pid
            + identity.map(i -> " " + i.recordFields()).orElse("")
            + "\n",
        AtomicFiles.SECRET);
    return new RunRecord(stateDir, s.build());
  }

  /**
   * The run recorded as still running in {@code stateDir}: its pid and start time, for {@code
   * vigil-agent release-host} to find an agent that still runs; empty when {@value #RUNNING} is
   * absent or unreadable (the last run stopped cleanly, or none ever started).
   *
   * @throws IOException when the record exists but cannot be read
   */
  public static Optional<Recorded> recordedRun(Path stateDir) throws IOException {
    String text = readOrNull(stateDir.resolve(RUNNING));
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = FIELDS.matcher(text);
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      Matcher id = IDENTITY_FIELDS.matcher(text);
      Optional<ProcessIdentity> identity =
          id.find() && ProcessIdentity.BOOT_ID.matcher(id.group(1)).matches()
              ? Optional.of(new ProcessIdentity(id.group(1), Long.parseLong(id.group(2))))
              : Optional.empty();
      return Optional.of(
          new Recorded(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), identity));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * A run's start record.
   *
   * @param startedNs when it started (wall clock, ns since the epoch)
   * @param pid its process id
   * @param identity its boot and start ticks; empty in a record written by an agent older than this
   *     field (or one that could not read /proc)
   */
  public record Recorded(long startedNs, long pid, Optional<ProcessIdentity> identity) {}

  /** How the previous run ended, and when this one started: for the first status. */
  public AgentStart start() {
    return start;
  }

  /**
   * The last step of a clean stop: records when it stopped, then deletes {@value #RUNNING}, both
   * synced. Idempotent.
   */
  public synchronized void endCleanly(long stoppedNs) throws IOException {
    if (ended) {
      return;
    }
    AtomicFiles.write(
        stateDir.resolve(STOPPED), "stopped_ns=" + stoppedNs + "\n", AtomicFiles.SECRET);
    Files.deleteIfExists(stateDir.resolve(RUNNING));
    try (FileChannel d = FileChannel.open(stateDir, StandardOpenOption.READ)) {
      d.force(true);
    }
    ended = true;
  }

  /** A recorded time as an instant, for the detail; the file may have been edited. */
  private static String instant(String nanos) {
    try {
      return WallClock.toInstant(Long.parseLong(nanos)).toString();
    } catch (NumberFormatException | java.time.DateTimeException e) {
      return "an unreadable time (" + nanos + ")";
    }
  }

  private static String readOrNull(Path file) throws IOException {
    try {
      // Small files the agent wrote; a bound still keeps a planted huge file from costing memory.
      byte[] b;
      try (var in = Files.newInputStream(file)) {
        b = in.readNBytes(256);
      }
      return new String(b, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return null;
    }
  }
}
