package io.vigil.agent.sensor.process;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditFeed;
import io.vigil.agent.sensor.process.audit.AuditListener;
import io.vigil.agent.sensor.process.procconnector.ProcEvent;
import io.vigil.agent.sensor.process.table.ProcessTable;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Gap;
import io.vigil.proto.v1.SensorState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sensor with scripted proc events and a fake audit feed on a host with no processes. */
class ProcessSensorEventsTest {
  @TempDir Path dir;
  private final LinkedBlockingQueue<ProcEventSource.Batch> script = new LinkedBlockingQueue<>();
  private final FakeFeed feed = new FakeFeed();
  private final RecordingSink sink = new RecordingSink();
  private ProcessSensor sensor;

  /** Delivers nothing by itself: the test calls the listener the sensor registered. */
  static final class FakeFeed implements AuditFeed {
    volatile AuditListener listener;
    volatile boolean closed;
    volatile boolean degraded;

    @Override
    public void start(AuditListener l) {
      listener = l;
    }

    @Override
    public String source() {
      return "audit (daemon)";
    }

    @Override
    public boolean degraded() {
      return degraded;
    }

    @Override
    public String reason() {
      return degraded ? "audit reader stopped: test" : "";
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private ProcessSensor start(AuditListener... others) throws IOException {
    ProcEventSource scripted =
        new ProcEventSource() {
          @Override
          public Batch next() {
            try {
              Batch b = script.poll(50, TimeUnit.MILLISECONDS);
              return b == null ? Batch.EMPTY : b;
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return Batch.EMPTY;
            }
          }

          @Override
          public void close() {}
        };
    ProcessSensorOptions options =
        new ProcessSensorOptions(
            32768, 1 << 20, 1024, Duration.ofMillis(300), Duration.ofSeconds(1), true);
    sensor = new ProcessSensor(options, Optional.of(feed), FakeHost.create(dir, () -> scripted));
    for (AuditListener l : others) {
      sensor.addAuditListener(l);
    }
    sensor.start(sink);
    return sensor;
  }

  @AfterEach
  void tearDown() {
    if (sensor != null) {
      sensor.close();
    }
  }

  @Test
  void anExitReportedBeforeTheExecRecordStillCarriesTheExecsImageAndId() throws Exception {
    start();
    script.add(
        new ProcEventSource.Batch(
            List.of(
                new ProcEvent.Fork(4000, 4000, 4001, 4001, 0, 7_000_000_000L),
                new ProcEvent.Exit(4001, 4001, 1 << 8, 17, 4000, 4000, 0, 7_100_000_000L)),
            false));
    ProcessTable table = (ProcessTable) sensor.directory();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!table.get(4001).map(e -> e.exited()).orElse(false)) {
      assertTrue(System.nanoTime() < deadline, "exit never reached the table");
      Thread.sleep(5);
    }
    // kauditd delivers the exec record after the proc connector's exit.
    feed.listener.onAuditEvent(
        AuditLines.exec(600, 4001, 4000, "/bin/echo", "0100755", "echo", "vigil-test-x"));

    Event exit = sink.await(Event::hasProcessExit);
    Event exec = sink.await(Event::hasProcessExec);
    assertEquals("/bin/echo", exit.getProcessExit().getProcess().getImage());
    assertEquals("echo vigil-test-x", exit.getProcessExit().getProcess().getCommandLine());
    assertEquals(
        exec.getProcessExec().getProcess().getEntityId(),
        exit.getProcessExit().getProcess().getEntityId());
    assertEquals(1, exit.getProcessExit().getExitCode());
    assertEquals(0, exit.getProcessExit().getExitSignal());
    assertTrue(exit.getProcessExit().getExitStatusKnown());
    assertTrue(sink.events().indexOf(exec) < sink.events().indexOf(exit));
    assertEquals("process", exit.getSensor());
    assertEquals(exec.getEventTimeNs(), 1_700_000_100_250_000_000L, "audit record time");
    assertEquals(0, exec.getSeq());
  }

  @Test
  void lossesBecomeGapsAndTheStateNamesBothSources() throws Exception {
    start();
    script.add(new ProcEventSource.Batch(List.of(), true));
    feed.listener.onAuditLoss(5, "kernel audit backlog: lost counter");

    Event overrun = sink.await(e -> e.hasGap() && e.getGap().getSource().equals("proc_connector"));
    Event lost = sink.await(e -> e.hasGap() && e.getGap().getSource().equals("audit"));
    assertEquals(Gap.Reason.REASON_SOURCE_OVERRUN, overrun.getGap().getReason());
    assertEquals(0, overrun.getGap().getCount());
    assertTrue(overrun.getGap().getFirstEventTimeNs() > 0);
    assertEquals(5, lost.getGap().getCount());

    SensorState s = sensor.state();
    assertEquals("process", s.getName());
    assertEquals("audit (daemon) + proc connector", s.getSource());
    assertEquals(false, s.getDegraded());
  }

  @Test
  void otherListenersSeeEveryAuditEventEvenWhenOneThrows() throws Exception {
    List<AuditEvent> seen = new CopyOnWriteArrayList<>();
    AuditListener broken =
        new AuditListener() {
          @Override
          public void onAuditEvent(AuditEvent event) {
            throw new IllegalStateException("broken listener");
          }
        };
    start(broken, seen::add);
    AuditEvent login =
        AuditLines.event(
            "type=USER_LOGIN msg=audit(1700000300.000:700): pid=88 uid=0 auid=1000 ses=9"
                + " msg='op=login id=1000 exe=\"/usr/sbin/sshd\" addr=10.0.0.9 res=success'");
    feed.listener.onAuditEvent(login);

    Event audit = sink.await(Event::hasAudit);
    assertEquals("USER_LOGIN", audit.getAudit().getType());
    assertEquals(9, audit.getAudit().getSessionId());
    // Listeners hear the event after this sensor handled it (so connects follow their exec).
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while ((seen.isEmpty() || sensor.errors() == 0) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(List.of(login), seen);
    assertEquals(1, sensor.errors(), "the throwing listener is counted");
  }

  @Test
  void whenTheAuditFeedTurnsDegradedTheProcConnectorExecIsReadFromProc() throws Exception {
    start();
    // While audit is healthy the proc connector's exec is left to audit.
    script.add(
        new ProcEventSource.Batch(
            List.of(new ProcEvent.Exec(4100, 4100, 0, 7_000_000_000L), exitOf(4999)), false));
    sink.await(e -> e.hasProcessExit() && e.getProcessExit().getProcess().getPid() == 4999);
    assertTrue(sink.events().stream().noneMatch(Event::hasProcessExec));

    Path pid = Files.createDirectories(dir.resolve("proc/4101"));
    Files.writeString(
        pid.resolve("stat"),
        "4101 (curl) S 1 4101 4101 0 -1 4194304 1 0 0 0 0 0 0 0 20 0 1 0 12345 1 1 1 1 1 0 0 0 0 0"
            + " 0 0 0 17 0 0 0 0 0 0\n");
    Files.write(pid.resolve("cmdline"), "curl\0http://vigil-test\0".getBytes(UTF_8));
    Files.createSymbolicLink(pid.resolve("exe"), Path.of("/usr/bin/curl"));
    feed.degraded = true; // the audit reader died
    script.add(
        new ProcEventSource.Batch(
            List.of(new ProcEvent.Exec(4101, 4101, 0, 8_000_000_000L)), false));

    Event exec = sink.await(Event::hasProcessExec);
    assertEquals(4101, exec.getProcessExec().getProcess().getPid());
    assertEquals("/usr/bin/curl", exec.getProcessExec().getProcess().getImage());
    assertEquals(List.of("curl", "http://vigil-test"), exec.getProcessExec().getArgsList());
    assertEquals(0, sensor.incompleteExecs());
    SensorState s = sensor.state();
    assertTrue(s.getDegraded());
    assertTrue(s.getReason().contains("audit reader stopped"), s.getReason());
    assertTrue(s.getSource().startsWith("proc connector + /proc"), s.getSource());
  }

  private static ProcEvent.Exit exitOf(int pid) {
    return new ProcEvent.Exit(pid, pid, 0, 17, 1, 1, 0, 7_100_000_000L);
  }
}
