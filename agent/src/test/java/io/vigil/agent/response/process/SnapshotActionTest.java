package io.vigil.agent.response.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.agent.sensor.network.OpenSockets;
import io.vigil.agent.sensor.process.RunningProcesses;
import io.vigil.agent.sensor.process.procfs.BootTime;
import io.vigil.agent.sensor.process.procfs.ProcReader;
import io.vigil.common.proc.ProcessSelfStats;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Snapshot;
import io.vigil.proto.v1.Transport;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The snapshot action on the real host: this JVM and a socket it listens on become events. */
class SnapshotActionTest {
  private static final ProcessDirectory NOTHING = pid -> Optional.empty();

  private final int self = (int) ProcessHandle.current().pid();

  @Test
  void putsThisJvmAndItsListeningSocketOnTheTimeline() throws Exception {
    Recording sink = new Recording(Integer.MAX_VALUE);
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CommandResult r = run(new SnapshotAction(sink, NOTHING));

      assertEquals(CommandResult.Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
      List<ProcessExec> execs =
          sink.events.stream().filter(Event::hasProcessExec).map(Event::getProcessExec).toList();
      List<NetworkConnection> conns =
          sink.events.stream().filter(Event::hasConnection).map(Event::getConnection).toList();
      assertEquals(Integer.toString(execs.size()), r.getFactsOrThrow("processes"));
      assertEquals(Integer.toString(conns.size()), r.getFactsOrThrow("connections"));
      assertEquals("false", r.getFactsOrThrow("truncated"));
      assertTrue(sink.events.stream().allMatch(e -> e.getSensor().equals("response")));

      ProcessExec me =
          execs.stream().filter(x -> x.getProcess().getPid() == self).findFirst().orElseThrow();
      BootTime boot = BootTime.read(Path.of("/proc"), ProcessSelfStats.clockTicks());
      long ticks = new ProcReader().startTicks(self).orElseThrow();
      assertEquals("snapshot", me.getSource());
      assertEquals(boot.entityId(self, ticks), me.getProcess().getEntityId());
      assertEquals(boot.startTimeNanos(ticks), me.getProcess().getStartTimeNs());
      assertTrue(me.getProcess().getImage().endsWith("/java"), me.getProcess().getImage());
      assertTrue(me.getProcess().getCommandLine().contains("java"));
      assertFalse(me.getArgsList().isEmpty());
      assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), me.getParent().getPid());
      assertFalse(me.getParent().getEntityId().isEmpty());

      NetworkConnection listen =
          conns.stream()
              .filter(
                  c ->
                      c.getDirection() == NetworkConnection.Direction.DIRECTION_LISTEN
                          && c.getTransport() == Transport.TRANSPORT_TCP
                          && c.getDestinationPort() == server.getLocalPort())
              .findFirst()
              .orElseThrow(() -> new AssertionError("no LISTEN event for " + server));
      assertEquals("snapshot", listen.getSource());
      assertEquals("127.0.0.1", listen.getDestinationIp());
      assertEquals(self, listen.getProcess().getPid());
      assertEquals(me.getProcess().getEntityId(), listen.getProcess().getEntityId());
    }
  }

  @Test
  void takesTheSensorsEntityIdWhenItKnowsTheProcess() throws Exception {
    BootTime boot = BootTime.read(Path.of("/proc"), ProcessSelfStats.clockTicks());
    long ticks = new ProcReader().startTicks(self).orElseThrow();
    String thirdImage = "00112233445566778899aabbccddeeff";
    ProcessDirectory sensor =
        pid ->
            pid == self
                ? Optional.of(
                    ProcessRef.newBuilder()
                        .setPid(self)
                        .setEntityId(thirdImage)
                        .setStartTimeNs(boot.startTimeNanos(ticks))
                        .build())
                : Optional.empty();
    Recording sink = new Recording(Integer.MAX_VALUE);

    run(new SnapshotAction(sink, sensor));

    ProcessExec me =
        sink.events.stream()
            .filter(Event::hasProcessExec)
            .map(Event::getProcessExec)
            .filter(x -> x.getProcess().getPid() == self)
            .findFirst()
            .orElseThrow();
    assertEquals(thirdImage, me.getProcess().getEntityId());
  }

  @Test
  void stopsAtTheEventLimitAndSaysSo() throws Exception {
    Recording sink = new Recording(Integer.MAX_VALUE);
    SnapshotAction action =
        new SnapshotAction(
            sink,
            new RunningProcesses(NOTHING),
            new OpenSockets(NOTHING),
            3,
            Duration.ofSeconds(1));

    CommandResult r = run(action);

    assertEquals(3, sink.events.size());
    assertEquals("true", r.getFactsOrThrow("truncated"));
    assertEquals("0", r.getFactsOrThrow("connections"));
    assertTrue(r.getDetail().contains("truncated at 3 events"), r.getDetail());
  }

  @Test
  void countsWhatAFullQueueDropped() throws Exception {
    Recording sink = new Recording(2); // takes two events, then is full for good
    SnapshotAction action =
        new SnapshotAction(
            sink,
            new RunningProcesses(NOTHING),
            new OpenSockets(NOTHING),
            SnapshotAction.DEFAULT_MAX_EVENTS,
            Duration.ofMillis(50));

    CommandResult r = run(action);

    assertEquals(CommandResult.Outcome.OUTCOME_SUCCEEDED, r.getOutcome());
    long emitted =
        Long.parseLong(r.getFactsOrThrow("processes"))
            + Long.parseLong(r.getFactsOrThrow("connections"));
    assertEquals(emitted - 2, Long.parseLong(r.getFactsOrThrow("dropped")));
    assertTrue(r.getDetail().contains("dropped"), r.getDetail());
  }

  private static CommandResult run(SnapshotAction action) throws Exception {
    Command c =
        Command.newBuilder().setCommandId("s1").setSnapshot(Snapshot.getDefaultInstance()).build();
    CommandResult.Builder r = CommandResult.newBuilder().setCommandId("s1");
    action.run(c, r);
    return r.build();
  }

  /** Keeps events up to a capacity, then refuses (and counts) like a full pipeline. */
  private static final class Recording implements EventSink {
    final List<Event> events = new CopyOnWriteArrayList<>();
    private final int capacity;

    Recording(int capacity) {
      this.capacity = capacity;
    }

    @Override
    public boolean offer(Event.Builder event) {
      return offerOrRefuse(event);
    }

    @Override
    public boolean offerOrRefuse(Event.Builder event) {
      if (events.size() >= capacity) {
        return false;
      }
      events.add(event.build());
      return true;
    }
  }
}
