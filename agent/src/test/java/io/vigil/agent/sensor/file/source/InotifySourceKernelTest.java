package io.vigil.agent.sensor.file.source;

import static io.vigil.agent.sensor.file.source.SourceHarness.at;
import static io.vigil.agent.sensor.file.source.SourceHarness.has;
import static io.vigil.agent.sensor.file.source.SourceHarness.pollUntil;
import static io.vigil.agent.sensor.file.source.SourceHarness.run;
import static io.vigil.agent.sensor.file.source.SourceHarness.under;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.file.FileNotification;
import io.vigil.agent.sensor.file.FileOps;
import io.vigil.agent.sensor.file.SourceOpener;
import io.vigil.agent.sensor.file.WatchPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@link InotifySource} against the real kernel, with child processes acting on temp trees. */
@Tag("kernel")
class InotifySourceKernelTest {
  private static final String PREFIX = "vigil-test-fsrc-ino-";

  private final List<Path> dirs = new ArrayList<>();

  @BeforeAll
  static void removeLeftovers() throws Exception {
    SourceHarness.removeLeftovers(Path.of("/tmp"), PREFIX);
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Path d : dirs) {
      SourceHarness.deleteTree(d);
    }
  }

  private Path tempDir() throws Exception {
    Path d = Files.createTempDirectory(Path.of("/tmp"), PREFIX).toRealPath();
    dirs.add(d);
    return d;
  }

  private static WatchPlan plan(List<Path> trees, List<Path> opened, List<Path> excluded) {
    return new WatchPlan(trees, opened, excluded, 10_000);
  }

  @Test
  void childChangesCarryTheirPathsAndOpsWithoutAProcess() throws Exception {
    Path dir = tempDir();
    boolean root = SourceHarness.root(); // chown needs root
    try (InotifySource source = InotifySource.open(plan(List.of(dir), List.of(), List.of()))) {
      run(dir, "sh", "-c", "echo x > a");
      run(dir, "mv", "a", "b");
      run(dir, "chmod", "600", "b");
      if (root) {
        run(dir, "chown", "nobody", "b");
      }
      run(dir, "rm", "b");
      run(dir, "mkdir", "d");
      Path a = dir.resolve("a");
      Path b = dir.resolve("b");
      List<FileNotification> seen =
          pollUntil(source, new ArrayList<>(), s -> has(s, dir.resolve("d"), FileOps.CREATE, 0));
      // d is watched once its creation is read: its own watch now reports its attributes too.
      run(dir, "chmod", "700", "d");
      run(dir, "touch", "d/marker");
      pollUntil(source, seen, s -> has(s, dir.resolve("d/marker"), FileOps.CLOSE_WRITE, 0));

      assertTrue(has(seen, a, FileOps.CREATE, 0), "create: " + seen);
      assertTrue(has(seen, a, FileOps.MODIFY, 0), "modify: " + seen);
      assertTrue(has(seen, a, FileOps.CLOSE_WRITE, 0), "close_write: " + seen);
      List<FileNotification> renames = seen.stream().filter(n -> n.has(FileOps.RENAME)).toList();
      assertEquals(1, renames.size(), "halves joined: " + seen);
      assertEquals(b.toString(), renames.get(0).path());
      assertEquals(a.toString(), renames.get(0).oldPath());
      assertTrue(seen.stream().noneMatch(n -> n.has(FileOps.MOVED_FROM | FileOps.MOVED_TO)));
      // inotify merges an event into an identical one still unread: chown's ATTRIB may be chmod's.
      assertTrue(has(seen, b, FileOps.ATTRIB, 0), "chmod and chown: " + seen);
      assertTrue(has(seen, b, FileOps.DELETE, 0), "rm: " + seen);
      assertTrue(has(seen, dir.resolve("d"), FileOps.CREATE | FileOps.ONDIR, 0), "mkdir");
      // Reported by the parent's watch; d's own watch reports it too, and that copy is dropped.
      assertEquals(
          List.of(FileOps.ATTRIB | FileOps.ONDIR),
          at(seen, dir.resolve("d")).stream()
              .filter(n -> n.has(FileOps.ATTRIB))
              .map(FileNotification::mask)
              .toList());
      assertTrue(seen.stream().allMatch(n -> n.pid() == 0), "no process: " + seen);
      assertEquals(seen, under(seen, dir), "only the tree");
    }
  }

  @Test
  void entriesCreatedInANewDirectoryBeforeItsWatchAreStillReported() throws Exception {
    Path dir = tempDir();
    try (InotifySource source = InotifySource.open(plan(List.of(dir), List.of(), List.of()))) {
      // One shell: the entries exist before the source reads the mkdir.
      run(dir, "sh", "-c", "mkdir d && echo x > d/f && mkdir d/e && echo y > d/e/g");
      run(dir, "sh", "-c", "sleep 0.2; echo z > d/e/later");
      List<FileNotification> seen =
          pollUntil(
              source,
              new ArrayList<>(),
              s ->
                  has(s, dir.resolve("d/e/later"), FileOps.CLOSE_WRITE, 0)
                      || has(s, dir.resolve("d/e/later"), FileOps.CREATE, 0));
      // Wait for the watch of d/e to report what is written there from now on.
      run(dir, "sh", "-c", "echo w > d/e/after");
      pollUntil(source, seen, s -> has(s, dir.resolve("d/e/after"), FileOps.CLOSE_WRITE, 0));

      assertTrue(has(seen, dir.resolve("d/f"), FileOps.CREATE, 0), "d/f: " + seen);
      assertTrue(has(seen, dir.resolve("d/e"), FileOps.CREATE | FileOps.ONDIR, 0), "d/e");
      assertTrue(has(seen, dir.resolve("d/e/g"), FileOps.CREATE, 0), "d/e/g: " + seen);
      assertTrue(has(seen, dir.resolve("d/e/after"), FileOps.CLOSE_WRITE, 0), "watched");
      assertTrue(source.counters().get("watches") >= 3, "tree, d, d/e: " + source.counters());
    }
  }

  @Test
  void aRenamedDirectoryKeepsReportingUnderItsNewPath() throws Exception {
    Path dir = tempDir();
    Path outside = tempDir();
    try (InotifySource source = InotifySource.open(plan(List.of(dir), List.of(), List.of()))) {
      run(dir, "sh", "-c", "mkdir -p d/sub && echo x > d/sub/f");
      List<FileNotification> seen =
          pollUntil(
              source, new ArrayList<>(), s -> has(s, dir.resolve("d/sub/f"), FileOps.CREATE, 0));
      run(dir, "mv", "d", "e");
      run(dir, "sh", "-c", "echo y > e/sub/g");
      pollUntil(source, seen, s -> has(s, dir.resolve("e/sub/g"), FileOps.CLOSE_WRITE, 0));
      FileNotification rename =
          seen.stream().filter(n -> n.has(FileOps.RENAME)).findFirst().orElseThrow();
      assertEquals(dir.resolve("e").toString(), rename.path());
      assertEquals(dir.resolve("d").toString(), rename.oldPath());
      assertTrue(rename.directory());
      assertTrue(at(seen, dir.resolve("d/sub/g")).isEmpty(), "stale watch path: " + seen);

      // Moved out: no longer watched; moved back in: watched again, reported as MOVED_TO. Each
      // move is read before the next step: events queued before a move is read carry the watch's
      // path as it was.
      run(dir, "mv", "e", outside.resolve("e").toString());
      pollUntil(source, seen, s -> has(s, dir.resolve("e"), FileOps.MOVED_FROM, 0));
      run(outside, "sh", "-c", "echo z > e/sub/h");
      run(outside, "mv", "e", dir.resolve("back").toString());
      pollUntil(source, seen, s -> has(s, dir.resolve("back"), FileOps.MOVED_TO, 0));
      run(dir, "sh", "-c", "echo w > back/sub/i");
      pollUntil(source, seen, s -> has(s, dir.resolve("back/sub/i"), FileOps.CLOSE_WRITE, 0));
      assertTrue(has(seen, dir.resolve("e"), FileOps.MOVED_FROM | FileOps.ONDIR, 0), "out");
      assertTrue(has(seen, dir.resolve("back"), FileOps.MOVED_TO | FileOps.ONDIR, 0), "in");
      assertTrue(under(seen, outside).isEmpty(), "outside: " + seen);
      assertTrue(at(seen, dir.resolve("e/sub/h")).isEmpty(), "unwatched after moving out");
    }
  }

  @Test
  void excludedSubtreesAndTheWatchLimitLeaveDirectoriesUnwatched() throws Exception {
    Path dir = tempDir();
    Files.createDirectories(dir.resolve("skip/deep"));
    Files.createDirectories(dir.resolve("a/b/c"));
    WatchPlan limited = new WatchPlan(List.of(dir), List.of(), List.of(dir.resolve("skip")), 3);
    try (InotifySource source = InotifySource.open(limited)) {
      // dir, a and skip's sibling count: dir, a, a/b are watched; a/b/c is over the limit.
      assertEquals(3, source.counters().get("watches"), source.counters().toString());
      assertEquals(1, source.counters().get("unwatched_dirs"));
      run(dir, "sh", "-c", "echo x > skip/deep/f; echo y > a/b/c/f; echo z > a/b/f");
      List<FileNotification> seen =
          pollUntil(
              source, new ArrayList<>(), s -> has(s, dir.resolve("a/b/f"), FileOps.CLOSE_WRITE, 0));
      assertTrue(at(seen, dir.resolve("skip/deep/f")).isEmpty(), "excluded: " + seen);
      assertTrue(at(seen, dir.resolve("a/b/c/f")).isEmpty(), "over the limit: " + seen);
    }
  }

  @Test
  void opensOfOpenedPathsAreReported() throws Exception {
    Path dir = tempDir();
    Path secret = Files.writeString(dir.resolve("secret"), "s");
    Path keys = Files.createDirectory(dir.resolve("keys"));
    Path key = Files.writeString(keys.resolve("k"), "k");
    try (InotifySource source =
        InotifySource.open(plan(List.of(dir), List.of(secret, keys), List.of()))) {
      run(dir, "cat", "secret");
      run(dir, "ls", "keys");
      run(dir, "cat", "keys/k");
      run(dir, "sh", "-c", "echo x > keys/new");
      List<FileNotification> seen =
          pollUntil(
              source, new ArrayList<>(), s -> has(s, keys.resolve("new"), FileOps.CLOSE_WRITE, 0));
      assertTrue(has(seen, secret, FileOps.OPEN, 0), "cat secret: " + seen);
      assertTrue(has(seen, key, FileOps.OPEN, 0), "cat keys/k: " + seen);
      assertTrue(
          seen.stream().noneMatch(n -> n.has(FileOps.OPEN) && n.path().equals(keys.toString())),
          "the directory's own open: " + seen);
      // keys is both in the tree and opened: its tree events survive the added IN_OPEN.
      assertTrue(has(seen, keys.resolve("new"), FileOps.CREATE, 0));
    }
  }

  @Test
  void aFullKernelQueueIsHandedOnAsOverflow() throws Exception {
    Path dir = tempDir();
    Path max = Path.of("/proc/sys/fs/inotify/max_queued_events");
    int limit = Files.exists(max) ? Integer.parseInt(Files.readString(max).trim()) : 16384;
    int files = Math.max(40_000, limit * 2 + 1000);
    try (InotifySource source = InotifySource.open(plan(List.of(dir), List.of(), List.of()))) {
      run(dir, "sh", "-c", "i=0; while [ $i -lt " + files + " ]; do : > f$i; i=$((i+1)); done");
      List<FileNotification> seen =
          pollUntil(
              source, new ArrayList<>(), s -> s.stream().anyMatch(n -> n.has(FileOps.OVERFLOW)));
      FileNotification overflow =
          seen.stream().filter(n -> n.has(FileOps.OVERFLOW)).findFirst().orElseThrow();
      assertEquals("", overflow.path());
      assertEquals(1, source.counters().get("overflows"));
    }
  }

  @Test
  void theOpenerUsesInotifyWhenConfigDisablesFanotify() throws Exception {
    Path dir = tempDir();
    SourceOpener.Opened o =
        NotificationSources.opener(false).open(plan(List.of(dir), List.of(), List.of()));
    try (var s = o.source()) {
      assertEquals("inotify", s.name());
      assertTrue(o.degraded());
      assertEquals(
          "fanotify disabled in config (sensors.file.fanotify: false); using inotify: events"
              + " carry no process",
          o.reason());
    }
  }

  @Test
  void closeReleasesEveryDescriptorAndEndsAPollingThread() throws Exception {
    Path dir = tempDir();
    Files.createDirectories(dir.resolve("x/y"));
    WatchPlan plan = plan(List.of(dir), List.of(), List.of());
    InotifySource.open(plan).close(); // descriptors the JVM keeps after first use
    int before = SourceHarness.openFds();
    InotifySource source = InotifySource.open(plan);
    assertEquals(3, source.counters().get("watches"));
    AtomicBoolean stop = new AtomicBoolean();
    Thread poller =
        new Thread(
            () -> {
              try {
                while (!stop.get()) {
                  source.poll(60_000, n -> {});
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    poller.start();
    Thread.sleep(200);
    stop.set(true);
    source.close();
    source.close();
    poller.join(5_000);
    assertFalse(poller.isAlive(), "poll returned after close");
    assertEquals(before, SourceHarness.openFds());
  }

  @Test
  void aRootMovedAwayAndMadeAgainIsWatchedAgainAndTheOldTreeIsNotReportedUnderItsPath()
      throws Exception {
    Path base = tempDir();
    Path root = base.resolve("root");
    Files.createDirectories(root.resolve("sub"));
    Files.writeString(root.resolve("sub/old"), "o");
    try (InotifySource source = InotifySource.open(plan(List.of(root), List.of(), List.of()))) {
      // All before the source reads anything: the new root exists when the move is read.
      run(
          base,
          "sh",
          "-c",
          "mv root root.old && mkdir root && echo key > root/authorized_keys"
              + " && echo x > root.old/sub/old && echo y > root.old/sub/new");
      Path keys = root.resolve("authorized_keys");
      List<FileNotification> seen =
          pollUntil(source, new ArrayList<>(), s -> has(s, keys, FileOps.CREATE, 0));
      // The new root is watched: a later change in it is reported.
      run(base, "sh", "-c", "echo m > root/marker");
      pollUntil(source, seen, s -> has(s, root.resolve("marker"), FileOps.CLOSE_WRITE, 0));

      assertTrue(has(seen, root, FileOps.MOVED_FROM | FileOps.ONDIR, 0), "moved away: " + seen);
      assertTrue(has(seen, root, FileOps.CREATE | FileOps.ONDIR, 0), "made again: " + seen);
      assertTrue(at(seen, root.resolve("sub/old")).isEmpty(), "root.old under root: " + seen);
      assertTrue(at(seen, root.resolve("sub/new")).isEmpty(), "root.old under root: " + seen);
      assertTrue(under(seen, base.resolve("root.old")).isEmpty(), "root.old unwatched");
      assertEquals(seen, under(seen, root), "only the root's path: " + seen);
      assertEquals(1, source.counters().get("root_rewatches"));
      assertEquals(0, source.counters().get("missing_roots"));
    }
  }

  @Test
  void aRootDeletedAndLaterMadeAgainIsWatchedAgain() throws Exception {
    Path base = tempDir();
    Path root = Files.createDirectories(base.resolve("root"));
    Files.writeString(root.resolve("f"), "f");
    try (InotifySource source = InotifySource.open(plan(List.of(root), List.of(), List.of()))) {
      run(base, "rm", "-r", "root");
      List<FileNotification> seen =
          pollUntil(source, new ArrayList<>(), s -> has(s, root, FileOps.DELETE_SELF, 0));
      assertEquals(1, source.counters().get("missing_roots"));
      // Read after the root is gone: its return is seen by the parent's watch.
      run(base, "sh", "-c", "mkdir root && echo key > root/authorized_keys");
      pollUntil(source, seen, s -> has(s, root.resolve("authorized_keys"), FileOps.CREATE, 0));
      run(base, "sh", "-c", "echo m > root/marker; touch unrelated");
      pollUntil(source, seen, s -> has(s, root.resolve("marker"), FileOps.CLOSE_WRITE, 0));
      assertTrue(has(seen, root, FileOps.CREATE | FileOps.ONDIR, 0), "made again: " + seen);
      assertTrue(at(seen, base.resolve("unrelated")).isEmpty(), "the parent is not a tree");
      assertEquals(seen, under(seen, root), "only the root's path: " + seen);
      assertEquals(0, source.counters().get("missing_roots"));
    }
  }

  @Test
  void aRootMissingWhenTheSourceOpensIsWatchedOnceMade() throws Exception {
    Path base = tempDir();
    Path root = base.resolve("root");
    try (InotifySource source = InotifySource.open(plan(List.of(root), List.of(), List.of()))) {
      run(base, "sh", "-c", "mkdir root && echo key > root/authorized_keys");
      List<FileNotification> seen =
          pollUntil(
              source,
              new ArrayList<>(),
              s -> has(s, root.resolve("authorized_keys"), FileOps.CREATE, 0));
      assertTrue(has(seen, root, FileOps.CREATE | FileOps.ONDIR, 0), "made: " + seen);
    }
  }
}
