package io.vigil.agent.sensor.file.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.platform.linux.Errno;
import org.junit.jupiter.api.Test;

class TreeMarksTest {
  @Test
  void onlyFailuresOfTheTreesOwnFilesystemAreTolerated() {
    for (int errno : new int[] {Errno.EINVAL, Errno.ENODEV, Errno.EXDEV, Errno.EOPNOTSUPP}) {
      assertTrue(TreeMarks.filesystemSpecific(errno), Errno.name(errno));
    }
    for (int errno : new int[] {Errno.EPERM, Errno.ENOSPC, Errno.ENOMEM, Errno.EACCES}) {
      assertFalse(TreeMarks.filesystemSpecific(errno), Errno.name(errno));
    }
  }

  @Test
  void oneMarkedTreeKeepsFanotifyWhateverTheOthers() {
    TreeMarks t = new TreeMarks();
    t.failed("/a", "no handles");
    t.marked();
    t.failed("/b", "no fsid");
    assertFalse(t.fallBack());
    assertEquals(2, t.failedCount());
    assertEquals("/a: no handles; /b: no fsid", t.describe());
  }

  @Test
  void noMarkedTreeFallsBackButNoTreeAtAllDoesNot() {
    TreeMarks t = new TreeMarks();
    assertFalse(t.fallBack(), "trees that vanished are no failure");
    t.failed("/a", "no handles");
    assertTrue(t.fallBack());
  }

  @Test
  void theDescriptionNamesAtMostSixteenTrees() {
    TreeMarks t = new TreeMarks();
    for (int i = 0; i < 1000; i++) {
      t.failed("/t" + i, "x");
    }
    assertEquals(1000, t.failedCount());
    assertTrue(t.describe().endsWith("/t15: x; and 984 more"), t.describe());
  }
}
