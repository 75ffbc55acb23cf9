package io.vigil.agent.sensor.process.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmallParsersTest {
  private static final String ID =
      "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccdddddddddddddddd";

  @Test
  void containerRuntimesAreRecognisedByTheirCgroupPaths() {
    assertEquals(ID, ContainerIds.fromCgroup("0::/system.slice/docker-" + ID + ".scope\n"));
    assertEquals(
        ID,
        ContainerIds.fromCgroup(
            "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/"
                + "cri-containerd-"
                + ID
                + ".scope\n"));
    assertEquals(ID, ContainerIds.fromCgroup("0::/kubepods/burstable/pod12-34/" + ID + "\n"));
    assertEquals(ID, ContainerIds.fromCgroup("0::/machine.slice/crio-" + ID + ".scope\n"));
    assertEquals(
        ID, ContainerIds.fromCgroup("0::/machine.slice/libpod-" + ID + ".scope/container\n"));
    assertEquals("", ContainerIds.fromCgroup("0::/user.slice/user-1000.slice/session-3.scope\n"));
    // 65 hex digits is not an id.
    assertEquals("", ContainerIds.fromCgroup("0::/docker/" + ID + "e\n"));
  }

  @Test
  void ttyNumbersAreNamed() {
    assertEquals("", TtyNames.of(0));
    assertEquals("pts/0", TtyNames.of(136 << 8));
    assertEquals("pts/300", TtyNames.of((137 << 8) | 44));
    assertEquals("tty1", TtyNames.of((4 << 8) | 1));
    assertEquals("ttyS0", TtyNames.of((4 << 8) | 64));
    assertEquals("188:0", TtyNames.of(188 << 8));
  }

  @Test
  void entityIdIsStableAndSeparatesPidReuseAndReboots() {
    String a = EntityIds.of("boot-1", 100, 5000);
    assertEquals(a, EntityIds.of("boot-1", 100, 5000));
    assertEquals(32, a.length());
    assertNotEquals(a, EntityIds.of("boot-1", 100, 5001)); // pid reused later
    assertNotEquals(a, EntityIds.of("boot-2", 100, 5000)); // same numbers after a reboot
    assertNotEquals(EntityIds.of("boot-1", 1, 25000), EntityIds.of("boot-1", 12, 5000));
  }

  @Test
  void startTicksBecomeWallClockNanosWithoutOverflow(@TempDir Path proc) throws IOException {
    Files.createDirectories(proc.resolve("sys/kernel/random"));
    Files.writeString(proc.resolve("sys/kernel/random/boot_id"), "b00t\n");
    Files.writeString(proc.resolve("stat"), "cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n");

    BootTime boot = BootTime.read(proc, 100);

    assertEquals("b00t", boot.bootId());
    assertEquals(1_700_000_012_340_000_000L, boot.startTimeNanos(1234));
    // Ten years of uptime in ticks: ticks * 1e9 alone would overflow a long.
    long tenYears = 10L * 365 * 24 * 3600 * 100;
    assertEquals((1_700_000_000L + tenYears / 100) * 1_000_000_000L, boot.startTimeNanos(tenYears));
  }

  @Test
  void theDeletedSuffixIsStrippedOnlyAtTheEnd() {
    assertEquals("/usr/bin/app", ProcReader.withoutDeletedSuffix("/usr/bin/app (deleted)"));
    assertEquals("/usr/bin/app", ProcReader.withoutDeletedSuffix("/usr/bin/app"));
    assertEquals("/tmp/x (deleted)/y", ProcReader.withoutDeletedSuffix("/tmp/x (deleted)/y"));
  }

  @Test
  void aCommandLineIsTheArgumentsJoinedBySingleSpaces() {
    assertEquals(
        "sh -c  echo\\x",
        new ProcSnapshot.Argv(java.util.List.of("sh", "-c", "", "echo\\x"), false).commandLine());
    assertEquals("", new ProcSnapshot.Argv(java.util.List.of(), false).commandLine());
  }
}
