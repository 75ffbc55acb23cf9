package io.vigil.agent.sensor.file;

import static io.vigil.agent.sensor.file.FileOps.CLOSE_WRITE;
import static io.vigil.agent.sensor.file.FileOps.CREATE;
import static io.vigil.agent.sensor.file.FileOps.OPEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.FileEvent.Action;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When and under which name the sensor stats and hashes a file: at dequeue, not after the
 * attribution delay; by its raw name, not its escaped text; and opens are not passed on to
 * integrity monitoring. Real files.
 */
class FileSensorStatTest {
  @TempDir Path root;

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static FileEvent eventFor(Harness h, String path) {
    Harness.await(
        () -> h.files().stream().anyMatch(e -> e.getPath().equals(path)), "event of " + path);
    return h.files().stream().filter(e -> e.getPath().equals(path)).findFirst().get();
  }

  /** Creates {@code dir/<name bytes>} with {@code content} and mode 755 through the shell. */
  private static void createRaw(Path dir, String printfName, String content) throws Exception {
    Process p =
        new ProcessBuilder(
                "sh",
                "-c",
                "f=\"$1/$(printf '"
                    + printfName
                    + "')\"; printf %s \"$2\" > \"$f\"; chmod 755 \"$f\"",
                "sh",
                dir.toString(),
                content)
            .start();
    assertEquals(0, p.waitFor());
  }

  @Test
  void aFileRunAndDeletedWithinTheAttributionDelayIsStillStatedAndHashed() throws Exception {
    FileSensor.Options o = Harness.options(root);
    Path dropper = root.resolve("w/m");
    Files.writeString(dropper, "#!/bin/sh\necho dropped\n");
    Files.setPosixFilePermissions(dropper, PosixFilePermissions.fromString("rwxr-xr-x"));
    byte[] content = Files.readAllBytes(dropper);
    CountDownLatch hashing = new CountDownLatch(1);
    ContentHasher real = ContentHasher.digests(o.hashMaxBytes());
    ContentHasher watched =
        (p, st) -> {
          ContentHasher.Outcome out = real.hash(p, st);
          hashing.countDown();
          return out;
        };
    Harness h = new Harness();
    h.attributionDelay = Duration.ofSeconds(1);
    // The process lookup is the last step: by then the dropper has run and is gone ("; rm").
    h.onFind =
        pid -> {
          try {
            hashing.await(Harness.DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
            Files.deleteIfExists(dropper);
          } catch (InterruptedException | IOException e) {
            throw new IllegalStateException(e);
          }
        };
    try (h) {
      h.start(o, watched, 4);
      h.source.feed(h.n(CREATE, 7, dropper.toString()), h.n(CLOSE_WRITE, 7, dropper.toString()));
      FileEvent e = eventFor(h, dropper.toString());
      assertFalse(Files.exists(dropper), "deleted before the event left");
      assertEquals(0100755, e.getMode(), e.toString());
      assertEquals(content.length, e.getSize());
      assertEquals(sha256(content), e.getSha256(), "hashed before it was deleted");
    }
  }

  @Test
  void filesAreStatedAndHashedByTheirRawNameNotTheirEscapedText() throws Exception {
    FileSensor.Options o = Harness.options(root);
    Path w = root.resolve("w");
    // The real dropper: "m" + byte 0xFF, escaped "m\xFF"; a decoy literally named "m\xFF".
    createRaw(w, "m\\377", "the real dropper, longer");
    Files.writeString(w.resolve("m\\xFF"), "decoy");
    // A name with a backslash, escaped with it doubled.
    Path slash = w.resolve("a\\b");
    Files.writeString(slash, "backslash in the name");
    Files.setPosixFilePermissions(slash, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Harness h = new Harness().start(o)) {
      String dropper = w + "/m\\xFF";
      String backslash = w + "/a\\\\b";
      h.source.feed(h.n(CREATE, 1, dropper), h.n(CLOSE_WRITE, 1, dropper));
      h.source.feed(h.n(CREATE, 1, backslash), h.n(CLOSE_WRITE, 1, backslash));
      FileEvent e = eventFor(h, dropper);
      byte[] real = "the real dropper, longer".getBytes(StandardCharsets.UTF_8);
      assertEquals(real.length, e.getSize(), "the decoy lends nothing: " + e);
      assertEquals(sha256(real), e.getSha256());
      FileEvent b = eventFor(h, backslash);
      assertEquals(0100755, b.getMode(), b.toString());
      assertEquals(sha256(Files.readAllBytes(slash)), b.getSha256());
    }
  }

  @Test
  void opensAreNotPassedOnToIntegrityMonitoring() throws Exception {
    FileSensor.Options o = Harness.options(root);
    Path secret = root.resolve("w/secret");
    Files.writeString(secret, "s");
    Path other = root.resolve("w/other");
    Files.writeString(other, "o");
    try (Harness h = new Harness().start(o)) {
      h.source.feed(h.n(OPEN, 1, secret.toString()));
      Harness.await(() -> h.sensor.counters().notifications() == 1, "the open is read");
      h.advance(Duration.ofSeconds(5)); // the open's window ends
      Harness.await(
          () -> h.files().stream().anyMatch(e -> e.getAction() == Action.ACTION_OPEN),
          "the open is reported");
      h.source.feed(h.n(CREATE, 1, other.toString()), h.n(CLOSE_WRITE, 1, other.toString()));
      // The listener is called in emission order on one thread: once it hears of the later
      // create, it would have heard of the open.
      Harness.await(() -> h.changed.contains(other.toString()), "the create is passed on");
      assertFalse(h.changed.contains(secret.toString()), h.changed.toString());
    }
  }

  @Test
  void aChangeByAJustForkedProcessWaitsForItsExecToBeRecorded() throws Exception {
    FileSensor.Options o = Harness.options(root);
    Path f = root.resolve("w/chowned");
    Files.writeString(f, "x");
    Harness h = new Harness();
    h.attributionDelay = Duration.ofMillis(200);
    // pid 9 was forked from a shell; its exec (chown) reaches the directory only later than the
    // delay: until then the directory shows the shell's image.
    h.processes.put(9, ref(9, "/usr/bin/dash"));
    h.execPending = pid -> pid == 9 && h.processes.get(9).getImage().endsWith("dash");
    try (h) {
      h.start(o);
      h.source.feed(now(FileOps.DELETE, 9, f));
      Thread.sleep(500); // past the delay: the change waits for the exec
      assertEquals(0, h.files().size(), "not sent with the parent's image: " + h.files());
      h.processes.put(9, ref(9, "/usr/bin/chown"));
      FileEvent e = eventFor(h, f.toString());
      assertEquals("/usr/bin/chown", e.getProcess().getImage(), e.toString());
    }
  }

  @Test
  void aForkedProcessThatNeverExecsIsReportedWithItsInheritedImageAfterTheLongestWait()
      throws Exception {
    FileSensor.Options o = Harness.options(root);
    Path f = root.resolve("w/sub");
    Files.writeString(f, "x");
    Harness h = new Harness();
    h.attributionDelay = Duration.ofMillis(100);
    h.processes.put(9, ref(9, "/usr/bin/dash"));
    h.execPending = pid -> true; // a subshell writing: it never execs
    try (h) {
      h.start(o);
      h.source.feed(now(FileOps.DELETE, 9, f));
      FileEvent e = eventFor(h, f.toString());
      assertEquals("/usr/bin/dash", e.getProcess().getImage(), e.toString());
    }
  }

  /** A notification stamped with the wall clock, as sources stamp them (the delay reads it). */
  private static FileNotification now(long mask, int pid, Path path) {
    return new FileNotification(
        mask, pid, path.toString(), null, io.vigil.common.time.WallClock.nowNanos());
  }

  private static io.vigil.proto.v1.ProcessRef ref(int pid, String image) {
    return io.vigil.proto.v1.ProcessRef.newBuilder().setPid(pid).setImage(image).build();
  }
}
