package io.vigil.agent.sensor.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real hasher reads only the regular file the event's lstat described, by its raw name: a
 * symbolic link, a FIFO or another file swapped in at the path is never read, and nothing blocks.
 */
class ContentHasherTest {
  @TempDir Path dir;

  private final ContentHasher hasher = ContentHasher.digests(1 << 20);

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** Hashes on another thread, so that a hasher that blocks fails the test instead of hanging. */
  private ContentHasher.Outcome hash(Path p, FileStat expected) throws Exception {
    return CompletableFuture.supplyAsync(() -> hasher.hash(p.toString(), expected))
        .get(Harness.DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
  }

  private static FileStat stat(Path p) {
    return FileStat.lstat(p.toString()).orElseThrow();
  }

  private static void sh(String script, String arg) throws Exception {
    assertEquals(0, new ProcessBuilder("sh", "-c", script, "sh", arg).start().waitFor());
  }

  @Test
  void theRegularFileOfTheEventIsHashed() throws Exception {
    Path f = Files.writeString(dir.resolve("tool"), "#!/bin/sh\n");
    ContentHasher.Outcome o = hash(f, stat(f));
    assertEquals(sha256(Files.readAllBytes(f)), o.hashes().orElseThrow().sha256());
  }

  @Test
  void anotherRegularFileSwappedInIsNotHashed() throws Exception {
    Path f = Files.writeString(dir.resolve("tool"), "the file of the event");
    FileStat seen = stat(f);
    Path other = Files.writeString(dir.resolve("other"), "another file");
    Files.move(other, f, StandardCopyOption.REPLACE_EXISTING);
    assertEquals("gone", hash(f, seen).skipped(), "it would lend its hashes");
  }

  @Test
  void aSymbolicLinkSwappedInIsNotFollowed() throws Exception {
    Path f = Files.writeString(dir.resolve("tool"), "the file of the event");
    FileStat seen = stat(f);
    Path target = Files.writeString(dir.resolve("target"), "elsewhere");
    Files.delete(f);
    Files.createSymbolicLink(f, target);
    assertEquals("not_regular", hash(f, seen).skipped());
    // Even when the link points at the very file the event described.
    Files.delete(f);
    Files.createSymbolicLink(f, target);
    assertEquals("not_regular", hash(f, stat(target)).skipped());
  }

  @Test
  void aFifoSwappedInNeitherBlocksNorIsRead() throws Exception {
    Path f = Files.writeString(dir.resolve("tool"), "the file of the event");
    FileStat seen = stat(f);
    Files.delete(f);
    sh("mkfifo \"$1\"", f.toString());
    assertEquals("not_regular", hash(f, seen).skipped());
    // A link to a FIFO (like one to /sys/kernel/tracing/trace_pipe) the same.
    Path link = dir.resolve("link");
    Files.createSymbolicLink(link, f);
    assertEquals("not_regular", hash(link, seen).skipped());
  }

  @Test
  void filesAreFoundByTheirRawName() throws Exception {
    sh("printf 'real content' > \"$1/$(printf 'm\\377')\"", dir.toString());
    Files.writeString(dir.resolve("m\\xFF"), "decoy");
    Path escaped = Path.of(dir + "/m\\xFF"); // the escaped text of "m" + 0xFF
    FileStat s = FileStat.lstat(escaped.toString()).orElseThrow();
    assertEquals(12, s.size(), "the real file, not the decoy");
    assertEquals(
        sha256("real content".getBytes(StandardCharsets.UTF_8)),
        hash(escaped, s).hashes().orElseThrow().sha256());
    FileStat decoy = FileStat.lstat(dir + "/m\\\\xFF").orElseThrow();
    assertEquals(5, decoy.size());
    assertTrue(FileStat.lstat(dir + "/m\\x").isEmpty(), "not escaped text: no file");
  }
}
