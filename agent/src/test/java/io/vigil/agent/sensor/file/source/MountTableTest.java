package io.vigil.agent.sensor.file.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.platform.linux.PathStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {
  // Shaped like this machine's /proc/self/mountinfo, plus a mount point with a space, optional
  // fields and two malformed lines.
  private static final String SAMPLE =
      String.join(
          "\n",
          "22 27 0:21 / /proc rw,relatime - proc proc rw",
          "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw",
          "25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24684096k",
          "27 1 254:0 / / rw,relatime shared:1 master:2 - ext4 /dev/vda rw,discard",
          "30 25 0:27 / /dev/shm rw,relatime - tmpfs tmpfs rw",
          "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
          "40 27 8:17 /exports /srv/my\\040data rw - xfs /dev/sdb1 rw",
          "41 27 8:18 / /srv/back\\134slash rw - xfs /dev/sdb2 rw",
          "garbage line",
          "42 27 8:19 / /mnt/cut\\04 rw - xfs /dev/sdb3 rw",
          "");

  private final MountTable table = MountTable.parse(SAMPLE.getBytes(StandardCharsets.UTF_8));

  @Test
  void linesAreParsedAndMalformedOnesCounted() {
    assertEquals(8, table.mounts().size());
    assertEquals(2, table.malformed());
    MountTable.Mount root = table.of("/etc/passwd").orElseThrow();
    assertEquals(27, root.id());
    assertEquals(1, root.parentId());
    assertEquals(PathStatus.makedev(254, 0), root.device());
    assertEquals("ext4", root.fsType());
    assertEquals("/dev/vda", root.source());
  }

  @Test
  void octalEscapesAreUndoneAndBackslashesKeptLosslessly() {
    MountTable.Mount data = table.of("/srv/my data/x").orElseThrow();
    assertEquals("/srv/my data", data.mountPoint());
    assertEquals("/exports", data.root());
    assertEquals("/srv/back\\\\slash", table.mounts().get(7).mountPoint());
    assertNull(MountTable.unescape("\\04"));
    assertNull(MountTable.unescape("\\0x1"));
  }

  @Test
  void theDeepestAndTopmostMountHoldsAPath() {
    MountTable.Mount shm = table.of("/dev/shm/x").orElseThrow();
    assertEquals(30, shm.id(), "the later of two mounts on /dev/shm covers the earlier");
    assertEquals(27, table.of("/dev/shmx").orElseThrow().id(), "not a path prefix");
    assertEquals(27, table.of("/").orElseThrow().id());
    assertEquals("/dev/shm/x is on tmpfs mounted at /dev/shm", table.describe("/dev/shm/x"));
    assertTrue(MountTable.parse(new byte[0]).describe("/x").contains("no mount"));
  }

  @Test
  void mountsBelowATreeAndKernelInterfacesAreTold() {
    List<Integer> belowSrv = table.below("/srv").stream().map(MountTable.Mount::id).toList();
    assertEquals(List.of(40, 41), belowSrv);
    assertEquals(7, table.below("/").size());
    assertTrue(table.below("/dev/shm").isEmpty(), "not strictly below itself");
    MountTable.Mount cgroupTmpfs = table.of("/sys/fs/cgroup/x").orElseThrow();
    assertFalse(cgroupTmpfs.pseudo());
    assertTrue(table.pseudo(cgroupTmpfs), "a tmpfs inside sysfs");
    assertTrue(table.pseudo(table.of("/proc/1").orElseThrow()));
    assertFalse(table.pseudo(table.of("/dev/shm").orElseThrow()));
  }
}
