package io.vigil.agent.sensor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketOwnersTest {
  @TempDir Path proc;

  private void fd(int pid, int fd, String target) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(pid + "/fd"));
    Files.createSymbolicLink(dir.resolve(Integer.toString(fd)), Path.of(target));
  }

  @Test
  void socketLinksMapInodesToTheirProcessAndOtherLinksAreIgnored() throws IOException {
    fd(100, 0, "/dev/null");
    fd(100, 3, "socket:[5001]");
    fd(100, 4, "pipe:[6000]");
    fd(200, 7, "socket:[5002]");
    fd(200, 8, "socket:[notanumber]");
    Files.createDirectories(proc.resolve("self/fd"));
    Files.createDirectories(proc.resolve("sys/kernel"));
    Files.createDirectories(proc.resolve("300")); // exited between listing and reading: no fd dir

    SocketOwners.Scan scan = new SocketOwners(proc, 100, 100, 100).scan();

    assertEquals(Map.of(5001L, 100, 5002L, 200), scan.owners());
    assertEquals(3, scan.processes());
    assertEquals(0, scan.unreadable());
    assertFalse(scan.truncated());
  }

  @Test
  void aSingleDescriptorResolvesToItsSocketInode() throws IOException {
    fd(100, 3, "socket:[5001]");
    fd(100, 4, "/etc/passwd");
    SocketOwners owners = new SocketOwners(proc, 100, 100, 100);

    assertEquals(OptionalLong.of(5001), owners.socketInode(100, 3));
    assertEquals(OptionalLong.empty(), owners.socketInode(100, 4));
    assertEquals(OptionalLong.empty(), owners.socketInode(100, 9));
    assertEquals(OptionalLong.empty(), owners.socketInode(999, 3));
  }

  @Test
  void limitsOnSocketsAndDescriptorsMarkTheScanTruncated() throws IOException {
    for (int i = 0; i < 10; i++) {
      fd(100, i, "socket:[" + (7000 + i) + "]");
    }
    SocketOwners.Scan fewSockets = new SocketOwners(proc, 100, 100, 4).scan();
    SocketOwners.Scan fewFds = new SocketOwners(proc, 100, 3, 100).scan();

    assertEquals(4, fewSockets.owners().size());
    assertTrue(fewSockets.truncated());
    assertEquals(3, fewFds.owners().size());
    assertTrue(fewFds.truncated());
  }

  @Test
  void aMissingProcRootGivesAnEmptyTruncatedScan() {
    SocketOwners.Scan scan = new SocketOwners(proc.resolve("absent"), 10, 10, 10).scan();

    assertTrue(scan.owners().isEmpty());
    assertTrue(scan.truncated());
  }
}
