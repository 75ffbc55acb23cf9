package io.vigil.agent.sensor.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.FileEvent.Action;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
  void aMergedDeleteAndCreateOfAnExistingEntryIsADeleteThenACreate() {
    Set<String> present = new HashSet<>(Set.of("/usr/local/bin/tool"));
    Coalescer k = new Coalescer(1_000, 100, out::add, present::contains);
    // install -m755 new /usr/local/bin/tool over an existing file: fanotify merges the unlink and
    // the create of the same name by the same process into one mask.
    long m = FileOps.CREATE | FileOps.DELETE | FileOps.MODIFY | FileOps.CLOSE_WRITE;
    assertEquals(Coalescer.Outcome.NEW, k.accept(n(m, 1, "/usr/local/bin/tool", 10), 0));
    assertEquals(
        List.of(Action.ACTION_DELETE, Action.ACTION_CREATE),
        out.stream().map(FileChange::action).toList());
    assertTrue(out.get(1).closedAfterWrite());
    // Gone now: created, then deleted (a temporary file).
    out.clear();
    k.accept(n(FileOps.CREATE | FileOps.DELETE, 1, "/tmp/t", 20), 2_000);
    assertEquals(
        List.of(Action.ACTION_CREATE, Action.ACTION_DELETE),
        out.stream().map(FileChange::action).toList());
  }

  @Test
  void aDirectoryRenameFirstEmitsThePendingChangesBelowItUnderTheirOldPaths() {
    c.accept(n(FileOps.CREATE, 1, "/tmp/d/x", 1), 0);
    c.accept(n(FileOps.ATTRIB, 2, "/tmp/d/sub/y", 2), 1);
    c.accept(n(FileOps.MODIFY, 1, "/tmp/dd", 3), 2); // not below /tmp/d
    c.accept(new FileNotification(FileOps.RENAME | FileOps.ONDIR, 1, "/tmp/e", "/tmp/d", 4), 3);
    assertEquals(
        List.of("/tmp/d/x", "/tmp/d/sub/y", "/tmp/e"),
        out.stream().map(FileChange::subject).toList());
    assertEquals(Action.ACTION_RENAME, out.get(2).action());
    assertEquals(1, c.pending(), "/tmp/dd still pending");
    // An unpaired MOVED_FROM of a directory does the same.
    c.accept(n(FileOps.CREATE, 1, "/tmp/f/z", 5), 4);
    c.accept(n(FileOps.MOVED_FROM | FileOps.ONDIR, 1, "/tmp/f", 6), 5);
    assertEquals("/tmp/f/z", out.get(3).path());
    assertEquals("/tmp/f", out.get(4).oldPath());
  }

  @Test
  void badSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Coalescer(0, 1, x -> {}));
    assertThrows(IllegalArgumentException.class, () -> new Coalescer(1, 0, x -> {}));
  }
}
