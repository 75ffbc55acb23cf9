package io.vigil.agent.sensor.process.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.platform.linux.AuditNetlinkSocket;
import io.vigil.agent.platform.linux.AuditStatus;
import io.vigil.proto.v1.ProcessExec;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("kernel")
class AuditSourceKernelTest {
  private KernelAuditFixture kernel;
  private final LinkedBlockingQueue<AuditEvent> events = new LinkedBlockingQueue<>();
  private final AuditListener listener = events::add;
  private final String key = "vigil-test-src-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void setUp() throws IOException {
    kernel = KernelAuditFixture.acquire();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (kernel != null) {
      kernel.close();
    }
  }

  @Test
  void deliversAnExecWithItsArgvAndGivesEverythingBackAtClose() throws Exception {
    AuditStatus before = kernel.control.status();
    AuditSource source = new AuditSource(AuditSourceOptions.defaults(key));
    boolean wasDaemon;
    try {
      source.start(listener);
      wasDaemon = source.isDaemon();
      assertTrue(
          source.source().equals("audit (daemon)")
              || source.source().startsWith("audit (multicast; pid "),
          source.source());
      assertFalse(source.degraded(), source.reason());
      assertEquals(7, kernel.rulesWithKey(key).size()); // exec; connect, accept, socket per family
      AuditStatus running = kernel.control.status();
      assertEquals(1, running.enabled());
      assertTrue(running.backlogLimit() >= 8192);

      String marker = "vigil-test-" + UUID.randomUUID();
      ProcessExec exec = runAndAwaitExec(marker);

      assertEquals(List.of("/bin/echo", marker), exec.getArgsList());
      assertEquals(
          java.nio.file.Path.of("/bin/echo").toRealPath().toString(), exec.getProcess().getImage());
      // Kernel records always parse; a count here means the framing cut records apart.
      assertEquals(0, source.malformedRecords());
    } finally {
      source.close();
    }

    assertEquals(List.of(), kernel.rulesWithKey(key));
    AuditStatus after = kernel.control.status();
    assertEquals(before.enabled(), after.enabled());
    assertEquals(before.backlogLimit(), after.backlogLimit());
    if (wasDaemon) {
      assertNotEquals((int) ProcessHandle.current().pid(), after.pid());
    }
  }

  @Test
  void readsTheMulticastGroupWhileAnotherSocketHoldsTheDaemonSlot() throws Exception {
    AuditStatus status = kernel.control.status();
    AuditNetlinkSocket holder = null;
    Thread drain = null;
    boolean[] stop = {false};
    if (status.pid() == 0 || ProcessHandle.of(status.pid()).isEmpty()) {
      holder = AuditNetlinkSocket.openUnicast();
      holder.setDaemonPid((int) ProcessHandle.current().pid());
      // The daemon must read, or the kernel's queue to it fills and records are lost.
      AuditNetlinkSocket held = holder;
      drain = new Thread(() -> drain(held, stop), "vigil-test-audit-holder");
      drain.start();
    }
    AuditSource source = new AuditSource(AuditSourceOptions.defaults(key));
    try {
      source.start(listener);

      assertFalse(source.isDaemon());
      assertTrue(source.source().startsWith("audit (multicast; pid "), source.source());
      String marker = "vigil-test-" + UUID.randomUUID();
      ProcessExec exec = runAndAwaitExec(marker);
      assertEquals(List.of("/bin/echo", marker), exec.getArgsList());
    } finally {
      source.close();
      if (holder != null) {
        synchronized (stop) {
          stop[0] = true;
        }
        drain.join();
        holder.setDaemonPid(0);
        holder.close();
      }
    }
    assertEquals(List.of(), kernel.rulesWithKey(key));
  }

  private static void drain(AuditNetlinkSocket s, boolean[] stop) {
    try {
      while (true) {
        synchronized (stop) {
          if (stop[0]) {
            return;
          }
        }
        s.receive();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs /bin/echo with the marker and waits (up to a generous deadline) for its exec event. */
  private ProcessExec runAndAwaitExec(String marker) throws Exception {
    Process p = new ProcessBuilder("/bin/echo", marker).start();
    p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor());
    ExecAssembly assembly = new ExecAssembly();
    int seen = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      AuditEvent e = events.poll(200, TimeUnit.MILLISECONDS);
      if (e == null) {
        continue;
      }
      seen++;
      Optional<ProcessExec> exec = assembly.assemble(e);
      if (exec.isPresent() && exec.get().getArgsList().contains(marker)) {
        return exec.get();
      }
    }
    throw new AssertionError("no exec event for " + marker + " within 30 s; seen " + seen);
  }
}
