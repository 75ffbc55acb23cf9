package io.vigil.agent.response.process;

import io.vigil.agent.response.Action;
import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.agent.sensor.network.OpenSockets;
import io.vigil.agent.sensor.process.RunningProcesses;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Event;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code snapshot} action ({@code Command.ActionCase.SNAPSHOT}): every running process (a
 * {@code ProcessExec} with {@code source = "snapshot"}) and every listening socket and connection
 * (a {@code NetworkConnection} with {@code source = "snapshot"}) as events on the host's timeline,
 * {@code Event.sensor = "response"}, all stamped with the time the snapshot began. Processes the
 * sensors saw start long ago (or before the agent ran) are then on the timeline too, with the
 * entity ids the sensors use.
 *
 * <p>At most {@link #DEFAULT_MAX_EVENTS} events, processes first; a cut listing says so in the
 * detail and in {@code facts["truncated"]}. The pipeline's queue is bounded, so events are offered
 * with {@link EventSink#offerOrRefuse} and retried while the queue drains, for up to {@link
 * #DEFAULT_PATIENCE} in all; after that they are offered once more and dropped if still refused
 * (the pipeline counts them and writes a Gap), and {@code facts["dropped"]} says how many.
 *
 * <p>Facts: {@code processes}, {@code connections} (events emitted), {@code truncated}, {@code
 * dropped}. Run by the command dispatcher's thread; blocks for the listing (tens of milliseconds to
 * seconds on a large host, most of it hashing executables the first time).
 */
public final class SnapshotAction implements Action {
  /** Events one snapshot emits at most. */
  public static final int DEFAULT_MAX_EVENTS = 100_000;

  /** How long, in all, one snapshot waits for room in the pipeline's queue. */
  static final Duration DEFAULT_PATIENCE = Duration.ofSeconds(10);

  static final String SENSOR = "response";
  static final String SOURCE = "snapshot";

  private final EventSink timeline;
  private final RunningProcesses processes;
  private final OpenSockets sockets;
  private final int maxEvents;
  private final long patienceNanos;

  /**
   * Snapshots the real host.
   *
   * @param timeline the agent's pipeline
   * @param directory the process sensor's table ({@code ProcessSensor.directory()}) so that entity
   *     ids agree with the sensor's; when the process sensor does not run, {@code pid ->
   *     Optional.empty()}
   * @throws IOException when the boot id or boot time cannot be read from {@code /proc}
   */
  public SnapshotAction(EventSink timeline, ProcessDirectory directory) throws IOException {
    this(
        timeline,
        new RunningProcesses(directory),
        new OpenSockets(directory),
        DEFAULT_MAX_EVENTS,
        DEFAULT_PATIENCE);
  }

  SnapshotAction(
      EventSink timeline,
      RunningProcesses processes,
      OpenSockets sockets,
      int maxEvents,
      Duration patience) {
    if (maxEvents < 1) {
      throw new IllegalArgumentException("maxEvents must be positive: " + maxEvents);
    }
    this.timeline = timeline;
    this.processes = processes;
    this.sockets = sockets;
    this.maxEvents = maxEvents;
    this.patienceNanos = patience.toNanos();
  }

  @Override
  public void run(Command command, CommandResult.Builder result) throws Exception {
    if (command.getActionCase() != Command.ActionCase.SNAPSHOT) {
      throw new IllegalArgumentException("not a snapshot command: " + command.getActionCase());
    }
    long at = WallClock.nowNanos();
    Emitter emitter = new Emitter(System.nanoTime() + patienceNanos);
    RunningProcesses.Listing p =
        processes.list(SOURCE, maxEvents, exec -> emitter.emit(event(at).setProcessExec(exec)));
    OpenSockets.Listing c =
        sockets.list(
            SOURCE,
            Math.max(0, maxEvents - p.processes()),
            conn -> emitter.emit(event(at).setConnection(conn)));
    boolean truncated = p.truncated() || c.truncated();
    List<String> notes = new ArrayList<>();
    if (truncated) {
      notes.add("truncated at " + maxEvents + " events");
    }
    if (emitter.dropped > 0) {
      notes.add(emitter.dropped + " events dropped: the agent's event queue stayed full");
    }
    if (!c.problem().isEmpty()) {
      notes.add(c.problem());
    }
    result
        .putFacts("processes", Integer.toString(p.processes()))
        .putFacts("connections", Integer.toString(c.connections()))
        .putFacts("truncated", Boolean.toString(truncated))
        .putFacts("dropped", Long.toString(emitter.dropped))
        .setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
        .setDetail(
            p.processes()
                + " processes and "
                + c.connections()
                + " connections and listening sockets put on the timeline"
                + (notes.isEmpty() ? "" : "; " + String.join("; ", notes)));
  }

  private static Event.Builder event(long timeNs) {
    return Event.newBuilder().setSensor(SENSOR).setEventTimeNs(timeNs);
  }

  /** Offers with retries while the queue drains, until the snapshot's patience is used up. */
  private final class Emitter {
    private final long deadline;
    private long dropped;

    Emitter(long deadline) {
      this.deadline = deadline;
    }

    void emit(Event.Builder e) {
      while (System.nanoTime() < deadline) {
        if (timeline.offerOrRefuse(e)) {
          return;
        }
        try {
          Thread.sleep(1);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (!timeline.offer(e)) {
        dropped++;
      }
    }
  }
}
