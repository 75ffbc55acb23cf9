package io.vigil.agent.sensor.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.proto.v1.FileEvent.Action;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Corner cases of coalescing that the sensor-level tests do not reach. */
class CoalescerTest {
  private final List<FileChange> out = new ArrayList<>();
  private final Coalescer c = new Coalescer(1_000, 100, out::add);

  private static FileNotification n(long mask, int pid, String path, long t) {
    return new FileNotification(mask, pid, path, null, t);
  }

  @Test
  void aCreateOverAPendingWriteEndsTheOldWriteFirst() {
    c.accept(n(FileOps.MODIFY, 1, "/f", 10), 0);
    c.accept(n(FileOps.CREATE, 1, "/f", 11), 1);
    assertEquals(1, out.size());
    assertEquals(Action.ACTION_MODIFY, out.get(0).action());
    c.flushAll();
    assertEquals(Action.ACTION_CREATE, out.get(1).action());
  }

  @Test
  void repeatedDeletesOfOnePathAreOneOnlyWithinAWindowAndWithoutARecreation() {
    assertEquals(Coalescer.Outcome.NEW, c.accept(n(FileOps.DELETE, 1, "/d", 1), 0));
    assertEquals(Coalescer.Outcome.ABSORBED, c.accept(n(FileOps.DELETE_SELF, 1, "/d", 2), 10));
    assertEquals(Coalescer.Outcome.NEW, c.accept(n(FileOps.DELETE, 1, "/d", 3), 2_000));
    c.accept(n(FileOps.CREATE | FileOps.ONDIR, 1, "/d", 4), 2_001);
    assertEquals(Coalescer.Outcome.NEW, c.accept(n(FileOps.DELETE, 1, "/d", 5), 2_002));
    assertEquals(Coalescer.Outcome.NEW, c.accept(n(FileOps.DELETE, 2, "/d", 6), 2_003));
    assertEquals(5, out.size());
  }

  @Test
  void firstAndLastTimesSpanTheMergedNotifications() {
    c.accept(n(FileOps.ATTRIB, 1, "/f", 100), 0);
    c.accept(n(FileOps.ATTRIB, 1, "/f", 250), 5);
    c.flushExpired(999);
    assertEquals(0, out.size());
    c.flushExpired(1_000);
    assertEquals(
        List.of(new FileChange(Action.ACTION_ATTRIBUTE, "/f", "", 1, false, 2, 100, 250, false)),
        out);
  }

  @Test
  void badSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Coalescer(0, 1, x -> {}));
    assertThrows(IllegalArgumentException.class, () -> new Coalescer(1, 0, x -> {}));
  }
}
