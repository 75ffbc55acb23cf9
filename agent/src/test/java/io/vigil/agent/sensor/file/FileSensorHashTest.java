package io.vigil.agent.sensor.file;

import static io.vigil.agent.sensor.file.FileOps.ATTRIB;
import static io.vigil.agent.sensor.file.FileOps.CLOSE_WRITE;
import static io.vigil.agent.sensor.file.FileOps.CREATE;
import static io.vigil.agent.sensor.file.FileOps.MODIFY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FileEvent.Action;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MD5, SHA-1 and SHA-256 of new executables, read from real files. */
class FileSensorHashTest {
  @TempDir Path root;

  private Path file(String relative, String content, String mode) throws IOException {
    Path p = root.resolve(relative);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    return p;
  }

  private static String hex(String algorithm, Path p) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance(algorithm).digest(Files.readAllBytes(p)));
  }

  private static void assertDigestsOf(Path p, FileEvent e) throws Exception {
    assertEquals(hex("MD5", p), e.getMd5(), e.toString());
    assertEquals(hex("SHA-1", p), e.getSha1());
    assertEquals(hex("SHA-256", p), e.getSha256());
    assertEquals("", e.getHashSkipped());
  }

  private static void assertNoDigests(FileEvent e, String skipped) {
    assertEquals("", e.getMd5(), e.toString());
    assertEquals("", e.getSha1());
    assertEquals("", e.getSha256());
    assertEquals(skipped, e.getHashSkipped());
  }

  private static void written(Harness h, Path p) {
    h.source.feed(
        h.n(CREATE, 1, p.toString()),
        h.n(MODIFY, 1, p.toString()),
        h.n(CLOSE_WRITE, 1, p.toString()));
  }

  /** The harness options watching {@code watch}, with executables hashed. */
  private FileSensor.Options hashingIn(List<String> watch) {
    FileSensor.Options o = Harness.options(root);
    return new FileSensor.Options(
        watch,
        o.exclude(),
        o.opened(),
        o.ownPaths(),
        o.coalesceWindow(),
        o.maxEventsPerSecond(),
        o.maxEventsPerPathPerWindow(),
        o.queueCapacity(),
        o.maxPendingPaths(),
        true,
        o.hashMaxBytes(),
        o.binaryDirs(),
        o.maxWatches());
  }

  private FileEvent eventFor(Harness h, Path p) {
    Harness.await(
        () -> h.files().stream().anyMatch(e -> e.getPath().equals(p.toString())), "event of " + p);
    return h.files().stream().filter(e -> e.getPath().equals(p.toString())).findFirst().get();
  }

  @Test
  void aFileWrittenIntoABinaryDirectoryIsHashedWhateverItsMode() throws Exception {
    Path tool = file("bin/tool", "#!/bin/sh\necho tool\n", "rw-r--r--");
    Path plain = file("w/notes.txt", "not a program", "rw-r--r--");
    // binary dir: root/bin, not watched otherwise
    FileSensor.Options both = hashingIn(List.of(root + "/w", root + "/bin"));
    try (Harness h = new Harness().start(both)) {
      written(h, tool);
      written(h, plain);
      assertDigestsOf(tool, eventFor(h, tool));
      assertNoDigests(eventFor(h, plain), "");
      assertEquals(1, h.sensor.counters().hashed());
      Harness.await(() -> h.changed.contains(tool.toString()), "the listener hears of it");
    }
  }

  @Test
  void aFileWrittenThenMadeExecutableIsHashedOnItsAttributeChange() throws Exception {
    FileSensor.Options o = Harness.options(root);
    Path payload = file("w/payload", "\u007fELF pretend", "rw-r--r--");
    Path old = file("w/old-tool", "was here before", "rwxr-xr-x");
    Path stale = file("w/stale", "written long ago", "rw-r--r--");
    try (Harness h = new Harness().start(o)) {
      h.source.feed(h.n(MODIFY, 1, stale.toString()), h.n(CLOSE_WRITE, 1, stale.toString()));
      assertNoDigests(eventFor(h, stale), "");
      h.advance(Duration.ofMinutes(11));

      written(h, payload);
      assertNoDigests(eventFor(h, payload), "");
      Files.setPosixFilePermissions(payload, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("rwxr-xr-x"));
      h.source.feed(
          h.n(ATTRIB, 1, payload.toString()),
          h.n(ATTRIB, 1, old.toString()),
          h.n(ATTRIB, 1, stale.toString()));
      Harness.await(() -> h.sensor.counters().pending() == 3, "three attribute changes pending");
      h.advance(Duration.ofSeconds(1));
      h.awaitFiles(5);
      Harness.await(() -> h.sensor.counters().hashed() == 1, "one hashed");
      List<FileEvent> attribs =
          h.files().stream().filter(e -> e.getAction() == Action.ACTION_ATTRIBUTE).toList();
      assertEquals(3, attribs.size());
      for (FileEvent e : attribs) {
        if (e.getPath().equals(payload.toString())) {
          assertDigestsOf(payload, e);
          assertEquals(0755, e.getMode() & 0777);
        } else {
          assertNoDigests(e, ""); // not written lately: a chmod alone is not a new executable
        }
      }
    }
  }

  @Test
  void aFileWrittenWithAnExecuteBitIsHashed() throws Exception {
    FileSensor.Options o = Harness.options(root);
    Path script = file("w/run.sh", "#!/bin/sh\nid\n", "rwx------");
    try (Harness h = new Harness().start(o)) {
      written(h, script);
      FileEvent e = eventFor(h, script);
      assertEquals(Action.ACTION_CREATE, e.getAction());
      assertTrue(e.getClosedAfterWrite());
      assertDigestsOf(script, e);
    }
  }

  @Test
  void aFileRenamedIntoABinaryDirectoryIsHashed() throws Exception {
    FileSensor.Options o = Harness.options(root);
    Path moved = file("bin/ls", "replacement", "rw-r--r--");
    try (Harness h = new Harness().start(o)) {
      h.source.feed(h.rename(1, root + "/w/staged", moved.toString()));
      FileEvent e = eventFor(h, moved);
      assertEquals(Action.ACTION_RENAME, e.getAction());
      assertDigestsOf(moved, e);
    }
  }

  @Test
  void aFileAboveTheLimitIsNotReadAndSaysSo() throws Exception {
    FileSensor.Options o = Harness.options(root, Duration.ofSeconds(1), 20_000, 10, 1024, 1024, 16);
    Path big = file("w/big", "x".repeat(100), "rwxr-xr-x");
    Path small = file("w/small", "tiny", "rwxr-xr-x");
    try (Harness h = new Harness().start(o)) {
      written(h, big);
      written(h, small);
      assertNoDigests(eventFor(h, big), "too_large");
      assertDigestsOf(small, eventFor(h, small));
      assertEquals(1, h.sensor.counters().hashSkipped("too_large"));
      assertEquals(1.0, h.metrics.value("vigil_file_hash_skipped", "reason", "too_large"));
    }
  }

  @Test
  void aFifoIsNeverOpened() throws Exception {
    FileSensor.Options o = Harness.options(root);
    Path fifo = root.resolve("w/pipe");
    Process mk = new ProcessBuilder("mkfifo", "-m", "755", fifo.toString()).start();
    assertEquals(0, mk.waitFor());
    try (Harness h = new Harness().start(o)) {
      written(h, fifo);
      FileEvent e = eventFor(h, fifo);
      assertEquals(0010000, e.getMode() & 0170000, "a FIFO");
      assertNoDigests(e, ""); // not a regular file: no hash wanted, nothing opened
    }
  }

  @Test
  void aFileGoneBeforeItsTurnSaysSo() throws Exception {
    FileSensor.Options o = Harness.options(root);
    Path brief = file("w/brief", "here for a moment", "rwxr-xr-x");
    ContentHasher real = ContentHasher.digests(o.hashMaxBytes());
    ContentHasher deleteFirst =
        (p, st) -> {
          try {
            Files.delete(Path.of(p));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          return real.hash(p, st);
        };
    try (Harness h = new Harness().start(o, deleteFirst, 4)) {
      written(h, brief);
      assertNoDigests(eventFor(h, brief), "gone");
    }
  }

  @Test
  void aSaturatedHasherLetsEventsGoWithoutHashes() throws Exception {
    FileSensor.Options o = Harness.options(root);
    Path e1 = file("w/e1", "one", "rwxr-xr-x");
    Path e2 = file("w/e2", "two", "rwxr-xr-x");
    Path e3 = file("w/e3", "three", "rwxr-xr-x");
    ContentHasher real = ContentHasher.digests(o.hashMaxBytes());
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ContentHasher slow =
        (p, st) -> {
          started.countDown();
          try {
            release.await(20, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return real.hash(p, st);
        };
    try (Harness h = new Harness().start(o, slow, 1)) {
      written(h, e1);
      assertTrue(started.await(20, TimeUnit.SECONDS)); // e1 is being hashed
      written(h, e2); // waits in the queue (capacity 1)
      written(h, e3); // no room
      assertNoDigests(eventFor(h, e3), "busy");
      assertEquals(1, h.files().size(), "the others wait for their hashes");
      release.countDown();
      assertDigestsOf(e1, eventFor(h, e1));
      assertDigestsOf(e2, eventFor(h, e2));
      assertEquals(2, h.sensor.counters().hashed());
      assertEquals(1, h.sensor.counters().hashSkipped("busy"));
    }
  }

  @Test
  void closeEmitsEventsStillWaitingForHashesWithoutThem() throws Exception {
    FileSensor.Options o = Harness.options(root);
    Path e1 = file("w/e1", "one", "rwxr-xr-x");
    Path e2 = file("w/e2", "two", "rwxr-xr-x");
    CountDownLatch started = new CountDownLatch(1);
    ContentHasher stuck =
        (p, st) -> {
          started.countDown();
          try {
            new CountDownLatch(1).await(60, TimeUnit.SECONDS); // like a hung network file system
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return ContentHasher.Outcome.skipped("unreadable");
        };
    Harness h = new Harness().start(o, stuck, 4);
    written(h, e1);
    assertTrue(started.await(20, TimeUnit.SECONDS));
    written(h, e2);
    Harness.await(() -> h.sensor.counters().notifications() == 6, "all handed on");
    h.sensor.close();
    assertEquals(2, h.files().size(), h.files().toString());
    for (FileEvent e : h.files()) {
      assertEquals("", e.getSha256());
      assertTrue(List.of("busy", "unreadable").contains(e.getHashSkipped()), e.getHashSkipped());
    }
    assertEquals("busy", eventFor(h, e2).getHashSkipped(), "never started: busy");
  }

  @Test
  void atReducedDetailWrittenExecutablesAreNotHashedAndTheEventSaysWhy() throws Exception {
    Path tool = file("bin/tool", "#!/bin/sh\necho tool\n", "rwxr-xr-x");
    FileSensor.Options bin = hashingIn(List.of(root + "/bin"));
    try (Harness h = new Harness()) {
      h.detail.reduce(true);
      h.start(bin);
      written(h, tool);
      assertNoDigests(eventFor(h, tool), "budget");
      assertEquals(0, h.sensor.counters().hashed());
      assertEquals(1, h.metrics.value("vigil_agent_budget_skipped_total", "what", "file_hash"));
      assertEquals(List.of("file: written executables not hashed"), h.detail.activeReductions());
    }
  }
}
