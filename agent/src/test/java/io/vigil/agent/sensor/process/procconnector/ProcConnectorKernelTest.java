package io.vigil.agent.sensor.process.procconnector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.platform.linux.ProcConnectorSocket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs against the real kernel; needs root (CAP_NET_ADMIN) and skips otherwise. */
@Tag("kernel")
class ProcConnectorKernelTest {
  private static final int CHILDREN = 20;
  private static final long DEADLINE_NS = 20_000_000_000L;

  private static boolean root() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("Uid:")) {
        String[] ids = line.substring(4).trim().split("\\s+");
        return ids.length > 1 && ids[1].equals("0"); // effective uid
      }
    }
    return false;
  }

  @Test
  void everyChildIsSeenExecutingAndExitingWithCodeZero() throws Exception {
    Assumptions.assumeTrue(root(), "proc connector needs root");
    ProcEventParser parser = new ProcEventParser();
    Set<Integer> children = new HashSet<>();
    Set<Integer> execs = new HashSet<>();
    Map<Integer, Integer> exitCodes = new HashMap<>();
    int lost = 0;
    int malformed = 0;
    try (ProcConnectorSocket socket = ProcConnectorSocket.open()) {
      // Events queue in the socket from here on, so starting all children first loses nothing.
      for (int i = 0; i < CHILDREN; i++) {
        Process p = new ProcessBuilder("/bin/true").start();
        children.add((int) p.pid());
        p.waitFor();
      }
      byte[] buf = new byte[64 * 1024];
      long start = System.nanoTime();
      while (!(execs.containsAll(children) && exitCodes.keySet().containsAll(children))
          && System.nanoTime() - start < DEADLINE_NS) {
        int n = socket.receive(buf);
        if (n == ProcConnectorSocket.EVENTS_LOST) {
          lost++;
          continue;
        }
        ParsedDatagram d = parser.parse(buf, n);
        malformed += d.malformed();
        for (ProcEvent e : d.events()) {
          // Other processes on the machine produce events too; keep only our children's.
          if (e instanceof ProcEvent.Exec x && children.contains(x.pid())) {
            execs.add(x.pid());
          } else if (e instanceof ProcEvent.Exit x
              && x.pid() == x.tgid()
              && children.contains(x.pid())) {
            exitCodes.put(x.pid(), x.exitCode());
          }
        }
      }
    }

    assertEquals(children, execs, "children seen executing (events lost: " + lost + ")");
    assertEquals(children, exitCodes.keySet(), "children seen exiting (events lost: " + lost + ")");
    assertTrue(exitCodes.values().stream().allMatch(c -> c == 0), "exit codes " + exitCodes);
    assertEquals(0, malformed, "malformed messages from the kernel");
  }

  @Test
  void closeIsIdempotentAndReceiveAfterCloseFails() throws Exception {
    Assumptions.assumeTrue(root(), "proc connector needs root");
    ProcConnectorSocket socket = ProcConnectorSocket.open();
    socket.close();
    socket.close();

    assertTrue(
        org.junit.jupiter.api.Assertions.assertThrows(
                IOException.class, () -> socket.receive(new byte[128]))
            .getMessage()
            .contains("closed"));
  }
}
