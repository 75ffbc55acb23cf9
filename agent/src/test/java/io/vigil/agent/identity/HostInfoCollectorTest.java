package io.vigil.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.HostInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostInfoCollectorTest {

  @Test
  void describesTheRealHost() throws IOException {
    HostInfo info = new HostInfoCollector().collect();
    assertFalse(info.getHostname().isEmpty());
    assertEquals(
        Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim(), info.getBootId());
    assertEquals(Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim(), info.getKernel());
    assertTrue(info.getCpuCount() > 0);
    assertTrue(info.getMemoryBytes() > 0);
    assertFalse(info.getOsName().isEmpty());
    assertFalse(info.getArchitecture().isEmpty());
  }

  @Test
  void unreadableIdFilesGiveEmptyStringsAndLongOnesAreBounded(@TempDir Path dir)
      throws IOException {
    Path longId = dir.resolve("machine-id");
    Files.writeString(longId, "x".repeat(10_000));
    HostInfo info =
        new HostInfoCollector(longId, dir.resolve("missing"), dir.resolve("missing-too")).collect();
    assertEquals(HostInfoCollector.MAX_STRING, info.getMachineId().length());
    assertEquals("", info.getBootId());
    assertFalse(info.getKernel().isEmpty(), "falls back to OSHI's kernel version");
  }

  @Test
  void boundNeverSplitsASurrogatePair() {
    String s = "a".repeat(HostInfoCollector.MAX_STRING - 1) + "\uD83D\uDE00tail";
    String b = HostInfoCollector.bound(s);
    assertEquals(HostInfoCollector.MAX_STRING - 1, b.length());
    assertEquals("", HostInfoCollector.bound(null));
  }
}
