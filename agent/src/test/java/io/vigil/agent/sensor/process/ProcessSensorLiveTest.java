package io.vigil.agent.sensor.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.process.audit.AuditFeed;
import io.vigil.agent.sensor.process.audit.AuditListener;
import io.vigil.agent.sensor.process.procfs.EntityIds;
import io.vigil.agent.sensor.process.table.ProcessEntry;
import io.vigil.agent.sensor.process.table.ProcessTable;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.SensorState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The sensor on the real host: seeding, /proc polling, and the real proc connector (root). */
class ProcessSensorLiveTest {
  private final RecordingSink sink = new RecordingSink();
  private ProcessSensor sensor;

  /** Audit that cannot start, as without CAP_AUDIT_CONTROL. */
  static final class RefusingFeed implements AuditFeed {
    @Override
    public void start(AuditListener listener) throws IOException {
      throw new IOException("audit needs CAP_AUDIT_CONTROL");
    }

    @Override
    public String source() {
      return "audit";
    }

    @Override
    public boolean degraded() {
      return true;
    }

    @Override
    public String reason() {
      return "";
    }

    @Override
    public void close() {}
  }

  @AfterEach
  void tearDown() {
    if (sensor != null) {
      sensor.close();
    }
  }

  private static ProcessSources host(ProcEventSource.Opener events) {
    ProcessSources sys = ProcessSources.system();
    return new ProcessSources(sys.procRoot(), sys.passwd(), sys.group(), events);
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  @Test
  void startSeedsTheTableWithEveryRunningProcessIncludingThisJvmAndItsParent() throws Exception {
    sensor =
        new ProcessSensor(
            ProcessSensorOptions.defaults(),
            Optional.empty(),
            host(
                () -> {
                  throw new IOException("proc connector needs CAP_NET_ADMIN: test");
                }));
    sensor.start(sink);
    ProcessTable table = (ProcessTable) sensor.directory();
    int self = (int) ProcessHandle.current().pid();
    ProcessEntry me = table.get(self).orElseThrow();

    assertEquals(Files.readSymbolicLink(Path.of("/proc/self/exe")).toString(), me.image());
    assertTrue(me.commandLine().contains("surefire") || me.commandLine().contains("java"));
    String bootId = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
    assertEquals(EntityIds.of(bootId, self, me.startTicks()), me.entityId());
    int parent = ProcessHandle.current().parent().map(p -> (int) p.pid()).orElseThrow();
    assertEquals(parent, me.ppid());
    assertTrue(table.get(parent).isPresent(), "the long-running parent is known");
    assertTrue(table.get(1).isPresent());
  }

  @Test
  void withoutTheProcConnectorPollingSeesAChildsExecAndItsExit() throws Exception {
    ProcessSensorOptions options =
        new ProcessSensorOptions(
            32768, 64 << 20, 32768, Duration.ZERO, Duration.ofMillis(100), false);
    sensor =
        new ProcessSensor(
            options,
            Optional.empty(),
            host(
                () -> {
                  throw new IOException("proc connector needs CAP_NET_ADMIN: test");
                }));
    sensor.start(sink);
    SensorState s = sensor.state();
    assertEquals("/proc polling every 100ms", s.getSource());
    assertTrue(s.getDegraded());
    assertTrue(s.getReason().contains("CAP_NET_ADMIN"), s.getReason());

    Process child = new ProcessBuilder("/bin/sleep", "1.5").start();
    int pid = (int) child.pid();
    // The JVM may start the child through jspawnhelper, which polling may catch before its exec.
    Event exec =
        sink.await(
            e ->
                e.hasProcessExec()
                    && e.getProcessExec().getProcess().getPid() == pid
                    && e.getProcessExec().getProcess().getImage().endsWith("sleep"));
    assertEquals("proc_poll", exec.getProcessExec().getSource());
    assertEquals(List.of("/bin/sleep", "1.5"), exec.getProcessExec().getArgsList());
    if (!exec.getProcessExec().getExecWithoutFork()) {
      assertEquals(ProcessHandle.current().pid(), exec.getProcessExec().getParent().getPid());
    }
    assertEquals(64, exec.getProcessExec().getSha256().length());

    assertEquals(0, child.waitFor());
    Event exit =
        sink.await(e -> e.hasProcessExit() && e.getProcessExit().getProcess().getPid() == pid);
    assertFalse(exit.getProcessExit().getExitStatusKnown());
    assertEquals(
        exec.getProcessExec().getProcess().getEntityId(),
        exit.getProcessExit().getProcess().getEntityId());
  }

  @Test
  void theRealProcConnectorShowsForkExecsAndExitWithConsistentEntityIds() throws Exception {
    Assumptions.assumeTrue(root(), "the proc connector needs CAP_NET_ADMIN");
    ProcessSensorOptions options =
        new ProcessSensorOptions(
            32768, 64 << 20, 32768, Duration.ofMillis(200), Duration.ofSeconds(1), true);
    sensor = new ProcessSensor(options, Optional.of(new RefusingFeed()));
    sensor.start(sink);
    SensorState s = sensor.state();
    assertEquals("proc connector + /proc", s.getSource());
    assertTrue(s.getDegraded());
    assertTrue(
        s.getReason().startsWith("proc connector only: audit needs CAP_AUDIT_CONTROL"),
        s.getReason());

    Process child = new ProcessBuilder("/bin/sh", "-c", "exec /bin/echo vigil-test-x").start();
    int pid = (int) child.pid();
    assertEquals(0, child.waitFor());
    Event exit =
        sink.await(e -> e.hasProcessExit() && e.getProcessExit().getProcess().getPid() == pid);
    List<ProcessExec> execs =
        sink.events().stream()
            .filter(e -> e.hasProcessExec() && e.getProcessExec().getProcess().getPid() == pid)
            .map(Event::getProcessExec)
            .toList();

    // The JVM may start the child through a helper (jspawnhelper) that execs first; the shell and
    // echo are the last two images either way.
    assertTrue(execs.size() >= 2, execs.toString());
    ProcessExec first = execs.get(0);
    assertFalse(first.getExecWithoutFork());
    assertEquals(ProcessHandle.current().pid(), first.getParent().getPid());
    for (int i = 1; i < execs.size(); i++) {
      ProcessExec x = execs.get(i);
      assertTrue(x.getExecWithoutFork());
      assertEquals(execs.get(i - 1).getProcess().getEntityId(), x.getParent().getEntityId());
      assertNotEquals(execs.get(i - 1).getProcess().getEntityId(), x.getProcess().getEntityId());
    }
    ProcessExec last = execs.get(execs.size() - 1);
    assertEquals(last.getProcess().getEntityId(), exit.getProcessExit().getProcess().getEntityId());
    assertTrue(exit.getProcessExit().getExitStatusKnown());
    assertEquals(0, exit.getProcessExit().getExitCode());
    assertEquals("proc", last.getSource());
  }
}
