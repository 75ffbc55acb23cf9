package io.vigil.agent.sensor.fim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.platform.linux.PathHandles;
import io.vigil.proto.v1.FileState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStateReaderTest {
  @TempDir Path dir;

  private static FileStateReader reader(long maxBytes, boolean handles) {
    return new FileStateReader(
        maxBytes, new HashThrottle(0, () -> false), handles ? new PathHandles() : null);
  }

  @Test
  void handlesAreAvailableOnThisMachine() {
    assertTrue(PathHandles.available(), "64-bit Linux: the O_PATH path is the one tested");
  }

  @Test
  void regularFileStateIsExactToTheNanosecondAndRepeatable() throws Exception {
    Path f = dir.resolve("passwd");
    Files.writeString(f, "root:x:0:0::/root:/bin/sh\n");
    // A time with all nine fractional digits, set by the real touch.
    run("touch", "-d", "2021-03-04 05:06:07.123456789", f.toString());
    for (boolean handles : new boolean[] {true, false}) {
      FileState s = reader(1 << 20, handles).read(f).state().orElseThrow();
      assertTrue(s.getExists());
      assertEquals(
          sha256("root:x:0:0::/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8)), s.getSha256());
      assertEquals(26, s.getSize());
      assertEquals(26, s.getHashedBytes());
      assertEquals("", s.getHashSkipped());
      assertEquals(1614834367_123456789L, s.getMtimeNs(), "mtime to the nanosecond");
      assertEquals(statNanos(f, "%Z", "%z"), s.getCtimeNs(), "ctime to the nanosecond");
      Map<String, Object> a =
          Files.readAttributes(f, "unix:mode,ino,dev,uid,gid", LinkOption.NOFOLLOW_LINKS);
      assertEquals(a.get("mode"), s.getMode());
      assertEquals(a.get("ino"), s.getInode());
      assertEquals(a.get("dev"), s.getDevice());
      assertEquals(s, reader(1 << 20, handles).read(f).state().orElseThrow(), "deterministic");
    }
  }

  @Test
  void largeFileIsHashedOverItsFirstMaxFileBytes() throws Exception {
    byte[] content = new byte[300_000];
    new Random(7).nextBytes(content);
    Path f = dir.resolve("big.bin");
    Files.write(f, content);
    FileStateReader.Read r = reader(100_000, true).read(f);
    FileState s = r.state().orElseThrow();
    assertEquals(100_000, s.getHashedBytes());
    assertEquals(300_000, s.getSize());
    assertEquals(100_000, r.bytesHashed());
    assertEquals(sha256(Arrays.copyOf(content, 100_000)), s.getSha256());
  }

  @Test
  void fifoIsRecordedAndNeverOpened() throws Exception {
    Path fifo = dir.resolve("pipe");
    run("mkfifo", fifo.toString());
    for (boolean handles : new boolean[] {true, false}) {
      // Opening a FIFO for reading without a writer blocks: finishing at all shows it was not.
      FileState s =
          assertTimeoutPreemptively(
              Duration.ofSeconds(20), () -> reader(1 << 20, handles).read(fifo).state().get());
      assertTrue(s.getExists());
      assertEquals("not_regular", s.getHashSkipped());
      assertEquals(0010000, s.getMode() & 0170000);
      assertEquals("", s.getSha256());
    }
  }

  @Test
  void symlinkDirectoryAndMissingPaths() throws Exception {
    Path target = Files.writeString(dir.resolve("t"), "x");
    Path link = Files.createSymbolicLink(dir.resolve("l"), Path.of("t"));
    Path sub = Files.createDirectories(dir.resolve("d"));
    for (boolean handles : new boolean[] {true, false}) {
      FileState l = reader(1 << 20, handles).read(link).state().orElseThrow();
      assertEquals("t", l.getLinkTarget());
      assertEquals(0120000, l.getMode() & 0170000);
      assertEquals("", l.getSha256(), "a link is not followed");
      FileState d = reader(1 << 20, handles).read(sub).state().orElseThrow();
      assertTrue(FileStateReader.isDirectory(d.getMode()));
      assertEquals("", d.getSha256());
      assertEquals("", d.getHashSkipped());
      assertFalse(
          reader(1 << 20, handles).read(dir.resolve("nope")).state().orElseThrow().getExists());
      assertFalse(
          reader(1 << 20, handles)
              .read(target.resolve("under-a-file"))
              .state()
              .orElseThrow()
              .getExists());
    }
  }

  @Test
  void aPathThroughALinkedDirectoryIsNotThere() throws Exception {
    Path real = Files.createDirectories(dir.resolve("real"));
    Files.writeString(real.resolve("f"), "x");
    Files.createSymbolicLink(dir.resolve("via"), real);
    FileState s = reader(1 << 20, true).read(dir.resolve("via/f")).state().orElseThrow();
    assertFalse(s.getExists(), "openat2(RESOLVE_NO_SYMLINKS): the baseline path is gone");
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  /** Seconds and nanoseconds of a stat(1) time, e.g. "%Z" and "%z" for ctime. */
  static long statNanos(Path f, String secondsFormat, String humanFormat) throws Exception {
    String secs = output("stat", "-c", secondsFormat, f.toString()).trim();
    String human = output("stat", "-c", humanFormat, f.toString()).trim();
    // "2021-03-04 05:06:07.123456789 +0000": the fraction has nine digits.
    String frac = human.substring(human.indexOf('.') + 1, human.indexOf('.') + 10);
    return Long.parseLong(secs) * 1_000_000_000L + Long.parseLong(frac);
  }

  static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed: " + out);
    }
  }

  static String output(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed");
    }
    return out;
  }
}
