package io.vigil.agent.sensor.file;

import static io.vigil.agent.sensor.file.FileOps.ATTRIB;
import static io.vigil.agent.sensor.file.FileOps.CLOSE_WRITE;
import static io.vigil.agent.sensor.file.FileOps.CREATE;
import static io.vigil.agent.sensor.file.FileOps.DELETE;
import static io.vigil.agent.sensor.file.FileOps.DELETE_SELF;
import static io.vigil.agent.sensor.file.FileOps.MODIFY;
import static io.vigil.agent.sensor.file.FileOps.MOVED_FROM;
import static io.vigil.agent.sensor.file.FileOps.MOVED_TO;
import static io.vigil.agent.sensor.file.FileOps.ONDIR;
import static io.vigil.agent.sensor.file.FileOps.OPEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FileEvent.Action;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Coalescing as the sensor does it, fed through a fake source with the clock held still. */
class FileSensorCoalescingTest {
  @TempDir Path root;

  private String w(String name) {
    return root + "/w/" + name;
  }

  @Test
  void tenThousandModificationsByOneProcessAreOneEventWithTheirCount() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      List<FileNotification> burst = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        burst.add(h.n(MODIFY, 100, w("app.log")));
      }
      h.source.feed(burst);
      Harness.await(() -> h.sensor.counters().coalesced() == 9_999, "10,000 notifications merged");
      assertEquals(0, h.files().size(), "nothing leaves before the window ends");
      h.sensor.close();

      assertEquals(1, h.files().size(), h.files().toString());
      FileEvent e = h.files().get(0);
      assertEquals(Action.ACTION_MODIFY, e.getAction());
      assertEquals(w("app.log"), e.getPath());
      assertEquals(10_000, e.getCount());
      assertEquals(burst.get(0).timeNs(), e.getFirstTimeNs());
      assertEquals(burst.get(9_999).timeNs(), h.events.get(0).getEventTimeNs());
      assertFalse(e.getClosedAfterWrite());
      assertEquals("fanotify", e.getSource());
      assertEquals("file", h.events.get(0).getSensor());
    }
  }

  @Test
  void aFileCreatedWrittenAndClosedIsOneCreateEvent() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(
          h.n(CREATE, 100, w("new")), h.n(MODIFY, 100, w("new")), h.n(CLOSE_WRITE, 100, w("new")));
      h.awaitFiles(1);
      FileEvent e = h.files().get(0);
      assertEquals(Action.ACTION_CREATE, e.getAction());
      assertTrue(e.getClosedAfterWrite());
      assertEquals(3, e.getCount());
      assertEquals(0, h.sensor.counters().pending());
      h.sensor.close();
      assertEquals(1, h.files().size(), "close adds nothing: nothing was pending");
    }
  }

  @Test
  void kernelMergedBitsCountAsOneNotification() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(h.n(CREATE | MODIFY, 100, w("x")), h.n(MODIFY | CLOSE_WRITE, 100, w("x")));
      h.awaitFiles(1);
      FileEvent e = h.files().get(0);
      assertEquals(Action.ACTION_CREATE, e.getAction());
      assertEquals(2, e.getCount());
      assertTrue(e.getClosedAfterWrite());
    }
  }

  @Test
  void aModificationEndsWithItsClose() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(
          h.n(MODIFY, 100, w("f")), h.n(MODIFY, 100, w("f")), h.n(CLOSE_WRITE, 100, w("f")));
      h.awaitFiles(1);
      assertEquals(Action.ACTION_MODIFY, h.files().get(0).getAction());
      assertEquals(3, h.files().get(0).getCount());
      assertTrue(h.files().get(0).getClosedAfterWrite());
    }
  }

  @Test
  void aCloseWithNothingWrittenMakesNoEvent() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(h.n(CLOSE_WRITE, 100, w("f")));
      Harness.await(() -> h.sensor.counters().absorbed() == 1, "the close absorbed");
      h.sensor.close();
      assertEquals(List.of(), h.files());
    }
  }

  @Test
  void differentProcessesOnOnePathAreSeparateEvents() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(
          h.n(MODIFY, 1, w("shared")),
          h.n(MODIFY, 2, w("shared")),
          h.n(MODIFY, 1, w("shared")),
          h.n(CLOSE_WRITE, 1, w("shared")),
          h.n(CLOSE_WRITE, 2, w("shared")));
      h.awaitFiles(2);
      h.sensor.close();
      assertEquals(2, h.files().size());
      assertEquals(3, h.files().get(0).getCount());
      assertEquals(2, h.files().get(1).getCount());
    }
  }

  @Test
  void aDeleteFlushesPendingChangesFirstAndKeepsTheirOrder() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(
          h.n(CREATE, 100, w("tmp")),
          h.n(ATTRIB, 100, w("tmp")),
          h.n(MODIFY, 200, w("other")),
          h.n(DELETE, 100, w("tmp")));
      h.awaitFiles(3);
      List<FileEvent> f = h.files();
      assertEquals(
          List.of(Action.ACTION_CREATE, Action.ACTION_ATTRIBUTE, Action.ACTION_DELETE),
          f.subList(0, 3).stream().map(FileEvent::getAction).toList());
      assertTrue(f.stream().limit(3).allMatch(e -> e.getPath().equals(w("tmp"))));
      Harness.await(() -> h.sensor.counters().pending() == 1, "the other file's change waits");
      assertEquals(3, h.files().size());
    }
  }

  @Test
  void inotifysDeleteAndDeleteSelfOfOneDirectoryAreOneDelete() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(h.n(DELETE | ONDIR, 0, w("d")), h.n(DELETE_SELF, 0, w("d")));
      Harness.await(() -> h.sensor.counters().absorbed() == 1, "the second half absorbed");
      h.awaitFiles(1);
      h.sensor.close();
      assertEquals(1, h.files().size());
      assertTrue(h.files().get(0).getIsDirectory());
    }
  }

  @Test
  void renamesCarryBothPathsAndFlushTheOldPathFirst() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(
          h.n(MODIFY, 100, w("a")),
          h.rename(100, w("a"), w("b")),
          h.n(MOVED_FROM, 100, w("gone-out")),
          h.n(MOVED_TO, 100, w("came-in")));
      h.awaitFiles(4);
      List<FileEvent> f = h.files();
      assertEquals(Action.ACTION_MODIFY, f.get(0).getAction());
      assertEquals(w("a"), f.get(0).getPath());
      assertEquals(Action.ACTION_RENAME, f.get(1).getAction());
      assertEquals(w("b"), f.get(1).getPath());
      assertEquals(w("a"), f.get(1).getOldPath());
      // Unpaired halves: the unknown side is empty.
      assertEquals("", f.get(2).getPath());
      assertEquals(w("gone-out"), f.get(2).getOldPath());
      assertEquals(w("came-in"), f.get(3).getPath());
      assertEquals("", f.get(3).getOldPath());
    }
  }

  @Test
  void theEndOfTheWindowFlushesPendingChanges() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(h.n(MODIFY, 100, w("log")), h.n(ATTRIB, 100, w("log")));
      Harness.await(() -> h.sensor.counters().pending() == 2, "two pending changes");
      h.advance(Duration.ofMillis(999));
      h.source.feed(h.n(MODIFY, 100, w("log"))); // still inside the window: joins
      Harness.await(() -> h.sensor.counters().coalesced() == 1, "the third merged");
      assertEquals(0, h.files().size());
      h.advance(Duration.ofMillis(1));
      h.awaitFiles(2);
      assertEquals(2, h.files().get(0).getCount());
      assertEquals(Action.ACTION_ATTRIBUTE, h.files().get(1).getAction());
      h.source.feed(h.n(MODIFY, 100, w("log"))); // a new window
      Harness.await(() -> h.sensor.counters().pending() == 1, "a new pending change");
      h.advance(Duration.ofSeconds(1));
      h.awaitFiles(3);
      assertEquals(1, h.files().get(2).getCount());
    }
  }

  @Test
  void aFullPendingTableFlushesTheOldestEarly() {
    FileSensor.Options o =
        Harness.options(root, Duration.ofSeconds(1), 20_000, 10, 1024, 4, 64L << 20);
    try (Harness h = new Harness().start(o)) {
      List<FileNotification> ns = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        ns.add(h.n(MODIFY, 100, w("f" + i)));
      }
      h.source.feed(ns);
      h.awaitFiles(6);
      Harness.await(() -> h.sensor.counters().pending() == 4, "four pending");
      assertEquals(6, h.sensor.counters().pendingEvictions());
      assertEquals(
          List.of(w("f0"), w("f1"), w("f2"), w("f3"), w("f4"), w("f5")),
          h.files().stream().map(FileEvent::getPath).toList());
      h.sensor.close();
      assertEquals(10, h.files().size());
    }
  }

  @Test
  void aDirectoryCreationIsReportedAtOnce() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(h.n(CREATE | ONDIR, 100, w("newdir")));
      h.awaitFiles(1);
      assertTrue(h.files().get(0).getIsDirectory());
      assertEquals(Action.ACTION_CREATE, h.files().get(0).getAction());
    }
  }

  @Test
  void opensOfSensitivePathsAreCoalescedOpenEvents() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(
          h.n(OPEN, 100, w("secret")), h.n(OPEN, 100, w("secret")), h.n(OPEN, 100, w("plain")));
      Harness.await(() -> h.sensor.counters().coalesced() == 1, "second open merged");
      Harness.await(() -> h.sensor.counters().filteredOut() == 1, "opens of other paths dropped");
      h.sensor.close();
      assertEquals(1, h.files().size());
      assertEquals(Action.ACTION_OPEN, h.files().get(0).getAction());
      assertEquals(2, h.files().get(0).getCount());
      assertEquals(1, h.sensor.counters().emitted(Action.ACTION_OPEN));
    }
  }

  @Test
  void closeFlushesPendingChangesAndIsIdempotent() {
    Harness h = new Harness().start(Harness.options(root));
    h.source.feed(h.n(MODIFY, 100, w("a")), h.n(ATTRIB, 100, w("b")));
    Harness.await(() -> h.sensor.counters().pending() == 2, "two pending");
    h.sensor.close();
    assertEquals(2, h.files().size());
    assertTrue(h.source.closed.get());
    h.sensor.close();
    assertEquals(2, h.files().size());
    assertEquals(2, h.sensor.counters().emitted());
    assertEquals(List.of(), h.events.stream().filter(Event::hasGap).toList());
  }
}
