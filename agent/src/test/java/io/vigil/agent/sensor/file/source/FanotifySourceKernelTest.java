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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link FanotifySource} against the real kernel, as root, with child processes acting on temp
 * trees under /tmp (the root filesystem here) and /dev/shm (a tmpfs).
 */
@Tag("kernel")
class FanotifySourceKernelTest {
  private static final String PREFIX = "vigil-test-fsrc-fan-";
  private static final Path SHM = Path.of("/dev/shm");

  private final List<Path> dirs = new ArrayList<>();

  @BeforeAll
  static void removeLeftovers() throws Exception {
    SourceHarness.removeLeftovers(Path.of("/tmp"), PREFIX);
    SourceHarness.removeLeftovers(SHM, PREFIX);
  }

  @BeforeEach
  void needsRoot() throws Exception {
    Assumptions.assumeTrue(SourceHarness.root(), "fanotify filesystem marks need root");
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Path d : dirs) {
      SourceHarness.deleteTree(d);
    }
  }

  private Path tempDir(Path parent) throws Exception {
    Path d = Files.createTempDirectory(parent, PREFIX).toRealPath();
    dirs.add(d);
    return d;
  }

  private static WatchPlan plan(List<Path> trees, List<Path> opened) {
    return new WatchPlan(trees, opened, List.of(), 10_000);
  }

  @Test
  void childChangesUnderTmpCarryTheirPathsOpsAndPids() throws Exception {
    childChangesCarryTheirPathsOpsAndPids(tempDir(Path.of("/tmp")));
  }

  @Test
  void childChangesUnderDevShmCarryTheirPathsOpsAndPids() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(SHM), "/dev/shm missing");
    childChangesCarryTheirPathsOpsAndPids(tempDir(SHM));
  }

  private void childChangesCarryTheirPathsOpsAndPids(Path dir) throws Exception {
    try (FanotifySource source = FanotifySource.open(plan(List.of(dir), List.of()))) {
      Set<Integer> pids = new HashSet<>();
      // "echo" and the redirection are sh builtins: the file is written by the sh process itself.
      int sh = run(dir, "sh", "-c", "echo x > a");
      int mv = run(dir, "mv", "a", "b");
      int chmod = run(dir, "chmod", "600", "b");
      int chown = run(dir, "chown", "nobody", "b");
      int rm = run(dir, "rm", "b");
      int mkdir = run(dir, "mkdir", "d");
      int chmodDir = run(dir, "chmod", "700", "d");
      int touch = run(dir, "touch", "d/x");
      // Handles are resolved when read, so d/x is read (and d's handle cached) before d moves.
      List<FileNotification> seen =
          pollUntil(
              source, new ArrayList<>(), s -> has(s, dir.resolve("d/x"), FileOps.CREATE, touch));
      int mvDir = run(dir, "mv", "d", "e");
      int sh2 = run(dir, "sh", "-c", "echo y > e/y");
      pids.addAll(List.of(sh, mv, chmod, chown, rm, mkdir, chmodDir, touch, mvDir, sh2));
      Path a = dir.resolve("a");
      Path b = dir.resolve("b");
      pollUntil(source, seen, s -> has(s, dir.resolve("e/y"), FileOps.CLOSE_WRITE, sh2));

      assertTrue(has(seen, a, FileOps.CREATE, sh), "create of a by sh: " + seen);
      assertTrue(has(seen, a, FileOps.MODIFY | FileOps.CLOSE_WRITE, sh), "write of a: " + seen);
      List<FileNotification> renames =
          under(seen, dir).stream().filter(n -> n.has(FileOps.RENAME)).toList();
      assertEquals(2, renames.size(), "one notification per rename: " + renames);
      FileNotification rename = renames.get(0);
      assertEquals(b.toString(), rename.path());
      assertEquals(a.toString(), rename.oldPath());
      assertEquals(mv, rename.pid());
      assertFalse(rename.directory());
      assertTrue(has(seen, b, FileOps.ATTRIB, chmod), "chmod: " + seen);
      assertTrue(has(seen, b, FileOps.ATTRIB, chown), "chown: " + seen);
      assertTrue(has(seen, b, FileOps.DELETE, rm), "rm: " + seen);
      assertTrue(has(seen, dir.resolve("d"), FileOps.CREATE | FileOps.ONDIR, mkdir), "mkdir");
      // A directory's own events name its own handle and ".": the path is the directory's.
      assertTrue(has(seen, dir.resolve("d"), FileOps.ATTRIB | FileOps.ONDIR, chmodDir), "chmod d");
      assertTrue(has(seen, dir.resolve("d/x"), FileOps.CREATE, touch), "touch d/x: " + seen);
      FileNotification dirRename = renames.get(1);
      assertEquals(dir.resolve("e").toString(), dirRename.path());
      assertEquals(dir.resolve("d").toString(), dirRename.oldPath());
      assertEquals(mvDir, dirRename.pid());
      assertTrue(dirRename.directory());
      // d's handle was cached as .../d; after the rename the same handle must resolve to .../e.
      assertTrue(has(seen, dir.resolve("e/y"), FileOps.CREATE, sh2), "e/y after rename: " + seen);
      assertTrue(at(seen, dir.resolve("d/y")).isEmpty(), "stale cached path: " + seen);
      for (FileNotification n : under(seen, dir)) {
        assertTrue(pids.contains(n.pid()), "pid of a child: " + n + " children " + pids);
        assertFalse(n.has(FileOps.MOVED_FROM | FileOps.MOVED_TO), "rename halves: " + n);
      }
      for (FileNotification n : seen) {
        assertTrue(PathText.under(n.path(), dir.toString()), "outside the tree: " + n);
      }
      assertTrue(source.counters().get("resolutions") >= 1);
    }
  }

  @Test
  void onlyTheWatchedTreeWithoutExclusionsIsHandedOnAndTheAgentsOwnChangesNever() throws Exception {
    Path dir = tempDir(Path.of("/tmp"));
    Path outside = tempDir(Path.of("/tmp"));
    Path skipped = Files.createDirectory(dir.resolve("skipped"));
    WatchPlan plan = new WatchPlan(List.of(dir), List.of(), List.of(skipped), 10_000);
    try (FanotifySource source = FanotifySource.open(plan)) {
      Files.writeString(dir.resolve("own"), "by the agent itself");
      run(outside, "sh", "-c", "echo x > elsewhere");
      run(skipped, "sh", "-c", "echo x > excluded");
      int marker = run(dir, "mkdir", "marker");
      List<FileNotification> seen =
          pollUntil(
              source,
              new ArrayList<>(),
              s -> has(s, dir.resolve("marker"), FileOps.CREATE, marker));

      assertTrue(at(seen, dir.resolve("own")).isEmpty(), "own write handed on: " + seen);
      assertTrue(under(seen, outside).isEmpty(), "outside handed on: " + seen);
      assertTrue(under(seen, skipped).isEmpty(), "excluded handed on: " + seen);
      for (FileNotification n : seen) {
        assertTrue(PathText.under(n.path(), dir.toString()), "outside the tree: " + n);
      }
      assertTrue(source.counters().get("own") >= 1, "own counted: " + source.counters());
      assertTrue(source.counters().get("outside_watch") >= 1, "outside counted");
    }
  }

  @Test
  void opensOfOpenedFilesAndOfEntriesOfOpenedDirectoriesCarryTheReader() throws Exception {
    Path dir = tempDir(Path.of("/tmp"));
    Path secret = Files.writeString(dir.resolve("secret"), "s");
    Path keys = Files.createDirectory(dir.resolve("keys"));
    Path key = Files.writeString(keys.resolve("k"), "k");
    Path other = Files.writeString(dir.resolve("other"), "o");
    try (FanotifySource source = FanotifySource.open(plan(List.of(dir), List.of(secret, keys)))) {
      int catOther = run(dir, "cat", "other");
      int ls = run(dir, "ls", "keys");
      int cat = run(dir, "cat", "secret");
      int catKey = run(dir, "cat", "keys/k");
      List<FileNotification> seen =
          pollUntil(source, new ArrayList<>(), s -> has(s, key, FileOps.OPEN, catKey));

      assertTrue(has(seen, secret, FileOps.OPEN, cat), "cat secret: " + seen);
      assertTrue(at(seen, other).isEmpty(), "not an opened path: " + seen);
      assertTrue(
          seen.stream().noneMatch(n -> n.has(FileOps.OPEN) && n.path().equals(keys.toString())),
          "open of the directory itself by ls " + ls + ": " + seen);
      assertTrue(catOther > 0);
    }
  }

  @Test
  void anOpenedFileDeletedAndCreatedAgainIsStillReported() throws Exception {
    Path dir = tempDir(Path.of("/tmp"));
    Path secret = Files.writeString(dir.resolve("secret"), "s");
    try (FanotifySource source = FanotifySource.open(plan(List.of(dir), List.of(secret)))) {
      int sh = run(dir, "sh", "-c", "rm secret; echo t > secret");
      List<FileNotification> seen = new ArrayList<>();
      // The new inode is marked when its creation is read.
      pollUntil(source, seen, s -> has(s, secret, FileOps.CLOSE_WRITE, sh));
      int cat = run(dir, "cat", "secret");
      pollUntil(source, seen, s -> has(s, secret, FileOps.OPEN, cat));
      assertTrue(has(seen, secret, FileOps.OPEN, cat), "open of the new inode: " + seen);
    }
  }

  @Test
  void aFullKernelQueueIsHandedOnAsOverflow() throws Exception {
    Path dir = tempDir(Path.of("/tmp"));
    Path max = Path.of("/proc/sys/fs/fanotify/max_queued_events");
    int limit = Files.exists(max) ? Integer.parseInt(Files.readString(max).trim()) : 16384;
    Assumptions.assumeTrue(limit < 1_000_000, "queue limit too high to fill: " + limit);
    int files = Math.max(40_000, limit * 2 + 1000);
    try (FanotifySource source = FanotifySource.open(plan(List.of(dir), List.of()))) {
      run(dir, "sh", "-c", "i=0; while [ $i -lt " + files + " ]; do : > f$i; i=$((i+1)); done");
      List<FileNotification> seen = new ArrayList<>();
      // An OVERFLOW also stands for changes dropped as unresolvable, which other processes on
      // this filesystem may cause at any time: wait for the queue's own.
      pollUntil(source, seen, s -> source.counters().get("overflows") >= 1);
      FileNotification overflow =
          seen.stream().filter(n -> n.has(FileOps.OVERFLOW)).findFirst().orElseThrow();
      assertEquals("", overflow.path());
      assertTrue(seen.size() < files, "lost some: " + seen.size());
    }
  }

  @Test
  void closeReleasesEveryDescriptorAndEndsAPollingThread() throws Exception {
    Path tmp = tempDir(Path.of("/tmp"));
    List<Path> trees = new ArrayList<>(List.of(tmp));
    if (Files.isDirectory(SHM)) {
      trees.add(tempDir(SHM));
    }
    Path secret = Files.writeString(tmp.resolve("secret"), "s");
    WatchPlan plan = plan(trees, List.of(secret));
    // Once first, so that descriptors the JVM opens for good on first use (class files) are in
    // the count before.
    FanotifySource.open(plan).close();
    int before = SourceHarness.openFds();
    FanotifySource source = FanotifySource.open(plan);
    assertTrue(SourceHarness.openFds() > before);
    assertEquals(trees.size() + 1, source.counters().get("marks"));
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
    source.close(); // idempotent
    poller.join(5_000);
    assertFalse(poller.isAlive(), "poll returned after close");
    assertEquals(0, source.poll(0, n -> {}));
    assertEquals(before, SourceHarness.openFds());
  }

  @Test
  void theOpenerPrefersFanotifyWhenAllowed() throws Exception {
    Path dir = tempDir(Path.of("/tmp"));
    SourceOpener.Opened o = NotificationSources.opener(true).open(plan(List.of(dir), List.of()));
    try (var s = o.source()) {
      assertEquals("fanotify", s.name());
      assertFalse(o.degraded());
      assertEquals("", o.reason());
    }
  }

  @Test
  void changesInADirectoryGoneBeforeTheyAreReadAreCountedAsUnresolved() throws Exception {
    Path dir = tempDir(Path.of("/tmp"));
    try (FanotifySource source = FanotifySource.open(plan(List.of(dir), List.of()))) {
      // Nothing is read before d is gone: the handle of d in its entries' events no longer
      // resolves (ESTALE), so those changes are dropped and counted, not reported as a loss
      // (a filesystem mark sees such directories everywhere on the filesystem).
      run(dir, "sh", "-c", "mkdir d && for i in 1 2 3 4 5 6 7 8; do echo x > d/f$i; done; rm -r d");
      List<FileNotification> seen = new ArrayList<>();
      long start = System.nanoTime();
      while (source.counters().get("unresolved") < 1) {
        assertTrue(
            System.nanoTime() - start < SourceHarness.DEADLINE_NS,
            "nothing unresolved within 20 s: " + seen + " " + source.counters());
        source.poll(200, seen::add);
      }
      assertTrue(seen.stream().noneMatch(n -> n.has(FileOps.OVERFLOW)), "no loss signal: " + seen);
    }
  }

  @Test
  void aTreeOnAFilesystemWithoutFileHandlesIsLeftUnmarkedAndTheOthersKeepFanotify()
      throws Exception {
    Path dir = tempDir(Path.of("/tmp"));
    // procfs has no file handles and no fsid: fanotify cannot mark it.
    Path proc = Path.of("/proc/sys/fs");
    try (FanotifySource source = FanotifySource.open(plan(List.of(proc, dir), List.of()))) {
      assertEquals(1, source.counters().get("unmarked_trees"), "counted: " + source.counters());
      int pid = run(dir, "sh", "-c", "echo x > a");
      List<FileNotification> seen =
          pollUntil(source, new ArrayList<>(), s -> has(s, dir.resolve("a"), FileOps.CREATE, pid));
      assertTrue(has(seen, dir.resolve("a"), FileOps.CREATE, pid), "still fanotify: " + seen);
      assertTrue(source.unmarkedTrees().startsWith("/proc/sys/fs: "), source.unmarkedTrees());
    }
    // What the operator sees: fanotify, degraded, naming the tree it cannot watch.
    SourceOpener.Opened o =
        NotificationSources.opener(true).open(plan(List.of(proc, dir), List.of()));
    try (var s = o.source()) {
      assertEquals("fanotify", s.name());
      assertTrue(o.degraded());
      assertTrue(
          o.reason().startsWith("fanotify cannot watch /proc/sys/fs: ")
              && o.reason().endsWith("; changes there are not reported"),
          o.reason());
    }
  }

  @Test
  void whenNoTreeCanBeMarkedTheOpenerFallsBackToInotifyNamingTheTrees() throws Exception {
    Path proc = Path.of("/proc/sys/fs");
    java.io.IOException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.io.IOException.class, () -> FanotifySource.open(plan(List.of(proc), List.of())));
    assertTrue(refused.getMessage().startsWith("fanotify cannot mark any tree: /proc/sys/fs: "));
    SourceOpener.Opened o = NotificationSources.opener(true).open(plan(List.of(proc), List.of()));
    try (var s = o.source()) {
      assertEquals("inotify", s.name());
      assertTrue(o.degraded());
      assertTrue(o.reason().contains("/proc/sys/fs: fanotify_mark"), o.reason());
    }
  }
}
