package io.vigil.agent.sensor.file;

import static io.vigil.agent.sensor.file.FileOps.ACCESS;
import static io.vigil.agent.sensor.file.FileOps.ATTRIB;
import static io.vigil.agent.sensor.file.FileOps.CLOSE_NOWRITE;
import static io.vigil.agent.sensor.file.FileOps.CLOSE_WRITE;
import static io.vigil.agent.sensor.file.FileOps.CREATE;
import static io.vigil.agent.sensor.file.FileOps.DELETE;
import static io.vigil.agent.sensor.file.FileOps.MODIFY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.SensorState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is reported, with which process and attributes, to whom, and the sensor's state. */
class FileSensorReportingTest {
  @TempDir Path root;

  private String w(String name) {
    return root + "/w/" + name;
  }

  private List<String> paths(Harness h) {
    return h.files().stream()
        .map(e -> e.getPath().isEmpty() ? e.getOldPath() : e.getPath())
        .toList();
  }

  @Test
  void onlyChangesInsideWatchedTreesAndOutsideExclusionsAreReported() throws IOException {
    Files.createDirectories(root.resolve("home/alice/.ssh"));
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(
          h.n(DELETE, 1, w("a")),
          h.n(DELETE, 1, root + "/other/b"),
          h.n(DELETE, 1, root + "/wx"), // a sibling sharing the prefix is not inside
          h.n(DELETE, 1, w("cache/x")),
          h.n(DELETE, 1, root + "/home/alice/.ssh/authorized_keys"),
          h.n(DELETE, 1, root + "/home/bob/.ssh/id_rsa"), // the glob matches paths made later
          h.n(DELETE, 1, root + "/home/alice/notes"),
          h.n(DELETE, 1, root + "/w"),
          h.n(ACCESS | CLOSE_NOWRITE, 1, w("read-only")),
          h.n(DELETE, 1, w("last")));
      h.awaitFiles(5);
      Harness.await(() -> h.sensor.counters().notifications() == 10, "all handed on");
      assertEquals(
          List.of(
              w("a"),
              root + "/home/alice/.ssh/authorized_keys",
              root + "/home/bob/.ssh/id_rsa",
              root + "/w",
              w("last")),
          paths(h));
      assertEquals(5, h.sensor.counters().filteredOut());
    }
  }

  @Test
  void theAgentsOwnPathsNeverProduceEvents() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      String spool = w("own/spool/20240101.cq4");
      h.source.feed(
          h.n(CREATE, 1, spool),
          h.n(MODIFY, 1, spool),
          h.n(CLOSE_WRITE, 1, spool),
          h.n(ATTRIB, 1, spool),
          h.n(FileOps.OPEN, 1, spool),
          h.rename(1, spool, w("own/spool/x")),
          h.n(DELETE, 1, spool),
          h.n(CREATE | FileOps.ONDIR, 1, w("own")),
          h.n(DELETE, 1, w("marker")));
      h.awaitFiles(1);
      Harness.await(() -> h.sensor.counters().filteredOut() == 8, "eight filtered");
      h.sensor.close();
      assertEquals(List.of(w("marker")), paths(h));
      assertTrue(h.plan.excluded().contains(root.resolve("w/own")), h.plan.toString());
    }
  }

  @Test
  void aRenameWithOneSideInsideIsReported() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(
          h.rename(1, root + "/outside/x", w("x")),
          h.rename(1, w("y"), root + "/outside/y"),
          h.rename(1, root + "/outside/p", root + "/outside/q"),
          h.rename(1, w("cache/p"), w("cache/q")));
      h.awaitFiles(2);
      Harness.await(() -> h.sensor.counters().filteredOut() == 2, "two filtered");
      Harness.await(() -> h.changed.size() == 4, "the listener told of both events");
      assertEquals(w("x"), h.files().get(0).getPath());
      assertEquals(root + "/outside/x", h.files().get(0).getOldPath());
      assertEquals(root + "/outside/y", h.files().get(1).getPath());
      assertEquals(w("y"), h.files().get(1).getOldPath());
      assertEquals(List.of(w("x"), root + "/outside/x", root + "/outside/y", w("y")), h.changed);
    }
  }

  @Test
  void aWatchedPathThroughASymbolicLinkMatchesTheRealPathsTheKernelReports() throws IOException {
    Path real = Files.createDirectories(root.resolve("real"));
    Files.createSymbolicLink(root.resolve("link"), real);
    FileSensor.Options base = Harness.options(root);
    FileSensor.Options o =
        new FileSensor.Options(
            List.of(root + "/link"),
            base.exclude(),
            base.opened(),
            base.ownPaths(),
            base.coalesceWindow(),
            base.maxEventsPerSecond(),
            base.maxEventsPerPathPerWindow(),
            base.queueCapacity(),
            base.maxPendingPaths(),
            base.hashExecutables(),
            base.hashMaxBytes(),
            base.binaryDirs(),
            base.maxWatches());
    try (Harness h = new Harness().start(o)) {
      assertEquals(List.of(real.toRealPath()), h.plan.trees());
      h.source.feed(h.n(DELETE, 1, real + "/f"));
      h.awaitFiles(1);
      assertEquals(real + "/f", h.files().get(0).getPath());
    }
  }

  @Test
  void theProcessComesFromTheDirectoryAndIsUnsetWhenUnknown() {
    ProcessRef sh =
        ProcessRef.newBuilder().setPid(4242).setEntityId("e-4242").setImage("/bin/sh").build();
    try (Harness h = new Harness()) {
      h.processes.put(4242, sh);
      h.processes.put(0, ProcessRef.newBuilder().setImage("must not be used").build());
      h.start(Harness.options(root));
      h.source.feed(h.n(DELETE, 4242, w("a")), h.n(DELETE, 0, w("b")), h.n(DELETE, 7, w("c")));
      h.awaitFiles(3);
      Harness.await(() -> h.actors.size() == 3, "the listener told of three events");
      assertEquals(sh, h.files().get(0).getProcess());
      assertFalse(h.files().get(1).hasProcess());
      assertFalse(h.files().get(2).hasProcess());
      assertEquals(List.of(Optional.of(sh), Optional.empty(), Optional.empty()), h.actors);
    }
  }

  @Test
  void eventsCarryTheEntrysAttributesAsLstatGivesThem() throws IOException {
    FileSensor.Options o = Harness.options(root);
    Path file = Files.writeString(root.resolve("w/data"), "twelve bytes");
    Path link = Files.createSymbolicLink(root.resolve("w/link"), Path.of("/etc/passwd"));
    try (Harness h = new Harness().start(o)) {
      h.source.feed(
          h.n(CREATE, 1, file.toString()),
          h.n(CLOSE_WRITE, 1, file.toString()),
          h.n(CREATE, 1, link.toString()),
          h.n(CLOSE_WRITE, 1, link.toString()),
          h.n(CREATE, 1, w("vanished")),
          h.n(CLOSE_WRITE, 1, w("vanished")),
          h.n(DELETE, 1, file.toString()));
      h.awaitFiles(4);
      for (int i = 0; i < 2; i++) {
        FileEvent e = h.files().get(i);
        Map<String, Object> a =
            Files.readAttributes(
                Path.of(e.getPath()), "unix:mode,uid,gid,size,dev,ino", LinkOption.NOFOLLOW_LINKS);
        assertEquals((int) a.get("mode"), e.getMode(), e.toString());
        assertEquals((int) a.get("uid"), e.getOwnerUid());
        assertEquals((int) a.get("gid"), e.getOwnerGid());
        assertEquals((long) a.get("size"), e.getSize());
        assertEquals((long) a.get("dev"), e.getDevice());
        assertEquals((long) a.get("ino"), e.getInode());
      }
      assertEquals(12, h.files().get(0).getSize());
      assertEquals(0120000, h.files().get(1).getMode() & 0170000, "the link, not its target");
      FileEvent gone = h.files().get(2);
      assertEquals(0, gone.getMode());
      assertEquals(0, gone.getInode());
      FileEvent deleted = h.files().get(3);
      assertEquals(FileEvent.Action.ACTION_DELETE, deleted.getAction());
      assertEquals(0, deleted.getInode(), "a deleted entry is not stat'ed (the path exists here)");
    }
  }

  @Test
  void theListenerHearsOfEveryEventAndBothPathsOfARename() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(
          h.n(CREATE, 9, w("a")),
          h.n(CLOSE_WRITE, 9, w("a")),
          h.rename(9, w("a"), w("b")),
          h.n(DELETE, 9, w("b")));
      h.awaitFiles(3);
      Harness.await(() -> h.changed.size() == 4, "four calls");
      assertEquals(List.of(w("a"), w("b"), w("a"), w("b")), h.changed);
      assertEquals(0, h.lost.get());
    }
  }

  @Test
  void theStateNamesTheSourceAndPassesItsFallbackReasonOn() {
    FakeSource inotify = new FakeSource("inotify");
    try (Harness h = new Harness(inotify)) {
      h.opener = p -> new SourceOpener.Opened(inotify, true, "fanotify not permitted: EPERM");
      h.start(Harness.options(root));
      SensorState s = h.sensor.state();
      assertEquals("file", s.getName());
      assertEquals("inotify", s.getSource());
      assertTrue(s.getDegraded());
      assertEquals("fanotify not permitted: EPERM", s.getReason());
      assertEquals(Map.of("fake_polls", 7L), h.sensor.sourceCounters());
      assertEquals(7.0, h.metrics.value("vigil_file_source", "counter", "fake_polls"));
      h.source.feed(h.n(DELETE, 0, w("a")));
      h.awaitFiles(1);
      assertEquals("inotify", h.files().get(0).getSource());
    }
    try (Harness h = new Harness().start(Harness.options(root))) {
      assertEquals("fanotify", h.sensor.state().getSource());
      assertFalse(h.sensor.state().getDegraded());
      assertEquals("", h.sensor.state().getReason());
    }
  }

  @Test
  void aSourceThatCannotBeOpenedLeavesTheSensorDegradedButAlive() {
    try (Harness h = new Harness()) {
      h.opener =
          p -> {
            throw new IOException("fanotify_init: EPERM; inotify_init1: EMFILE");
          };
      h.start(Harness.options(root));
      SensorState s = h.sensor.state();
      assertTrue(s.getDegraded());
      assertEquals("none", s.getSource());
      assertTrue(s.getReason().contains("inotify_init1: EMFILE"), s.getReason());
      h.sensor.close();
      h.sensor.close();
    }
  }

  @Test
  void aSourceThatFailsLaterDegradesTheSensorAfterDeliveringWhatCameBefore() {
    try (Harness h = new Harness().start(Harness.options(root))) {
      h.source.feed(h.n(DELETE, 1, w("before")));
      h.source.fail("read: EIO");
      Harness.await(() -> h.sensor.state().getDegraded(), "degraded");
      assertTrue(h.sensor.state().getReason().contains("fanotify failed: read: EIO"));
      h.awaitFiles(1);
      assertEquals(w("before"), h.files().get(0).getPath());
    }
  }

  @Test
  void missingWatchedPathsAreLeftOutOfThePlanAndNamedInTheState() {
    FileSensor.Options base = Harness.options(root);
    FileSensor.Options o =
        new FileSensor.Options(
            List.of(root + "/nothing-here", root + "/nor/*/here"),
            base.exclude(),
            base.opened(),
            base.ownPaths(),
            base.coalesceWindow(),
            base.maxEventsPerSecond(),
            base.maxEventsPerPathPerWindow(),
            base.queueCapacity(),
            base.maxPendingPaths(),
            base.hashExecutables(),
            base.hashMaxBytes(),
            base.binaryDirs(),
            base.maxWatches());
    try (Harness h = new Harness().start(o)) {
      assertEquals(List.of(), h.plan.trees());
      assertTrue(h.sensor.state().getDegraded());
      assertEquals("none of the watched paths exist", h.sensor.state().getReason());
    }
  }

  @Test
  void closeBeforeStartIsHarmlessAndStartAfterCloseDoesNothing() {
    try (Harness h = new Harness()) {
      FileSensor s =
          new FileSensor(
              Harness.options(root),
              p -> {
                throw new AssertionError("must not open");
              },
              pid -> Optional.empty(),
              FileChangeListener.NONE,
              h.metrics);
      s.close();
      s.close();
      s.start(
          new io.vigil.agent.sensor.EventSink() {
            @Override
            public boolean offer(io.vigil.proto.v1.Event.Builder event) {
              throw new AssertionError();
            }

            @Override
            public boolean offerOrRefuse(io.vigil.proto.v1.Event.Builder event) {
              throw new AssertionError();
            }
          });
      assertEquals("file", s.state().getName());
    }
  }
}
