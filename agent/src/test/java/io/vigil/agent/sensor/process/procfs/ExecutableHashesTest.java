package io.vigil.agent.sensor.process.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutableHashesTest {
  @TempDir Path tmp;

  private static String hex(String algorithm, byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
  }

  @Test
  void digestsEqualMessageDigestResults() throws Exception {
    byte[] data = new byte[200_000]; // spans several read buffers
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31);
    }
    Path file = Files.write(tmp.resolve("bin"), data);

    ExecutableHashes.Hashes h = new ExecutableHashes().hash(file).orElseThrow();

    assertEquals(hex("MD5", data), h.md5());
    assertEquals(hex("SHA-1", data), h.sha1());
    assertEquals(hex("SHA-256", data), h.sha256());
  }

  @Test
  void unchangedFileIsServedFromTheCacheAndAChangedOneIsReadAgain() throws IOException {
    Path file = Files.writeString(tmp.resolve("tool"), "#!/bin/sh\necho one\n");
    ExecutableHashes hashes = new ExecutableHashes();

    ExecutableHashes.Hashes first = hashes.hash(file).orElseThrow();
    ExecutableHashes.Hashes second = hashes.hash(file).orElseThrow();

    assertEquals(first, second);
    assertEquals(1, hashes.fileReads());

    Files.writeString(tmp.resolve("tool"), "#!/bin/sh\necho two, longer\n", StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
    ExecutableHashes.Hashes third = hashes.hash(file).orElseThrow();

    assertEquals(2, hashes.fileReads());
    assertNotEquals(first, third);
  }

  @Test
  void filesOverTheLimitAndMissingFilesAreNotHashed() throws IOException {
    Path big = Files.write(tmp.resolve("big"), new byte[1025]);
    Path exact = Files.write(tmp.resolve("exact"), new byte[1024]);
    ExecutableHashes hashes = new ExecutableHashes(1024, 4);

    assertEquals(Optional.empty(), hashes.hash(big));
    assertEquals(Optional.empty(), hashes.hash(tmp.resolve("gone")));
    assertEquals(Optional.empty(), hashes.hash(tmp));
    assertEquals(0, hashes.fileReads());
    assertEquals(64, hashes.hash(exact).orElseThrow().sha256().length());
  }

  @Test
  void examineGivesDeviceAndInodeOfAnyFileAndDigestsOnlyOfRegularOnes() throws IOException {
    Path file = Files.write(tmp.resolve("prog"), new byte[] {1, 2, 3});
    ExecutableHashes hashes = new ExecutableHashes(1024, 4);
    java.util.Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino");

    ExecutableHashes.Examined x = hashes.examine(file).orElseThrow();
    ExecutableHashes.Examined dir = hashes.examine(tmp).orElseThrow();

    assertEquals(a.get("dev"), x.device());
    assertEquals(a.get("ino"), x.inode());
    assertEquals(hashes.hash(file), x.hashes());
    assertEquals(Optional.empty(), dir.hashes());
    assertEquals(Optional.empty(), hashes.examine(tmp.resolve("gone")));
  }

  private static FileIdentity identity(Path file) throws IOException {
    java.util.Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino");
    return FileIdentity.ofStat((Long) a.get("dev"), (Long) a.get("ino"));
  }

  @Test
  void aPathIsExaminedOnlyWhileItNamesTheExpectedFile() throws IOException {
    Path file = Files.write(tmp.resolve("prog"), new byte[] {1, 2, 3});
    FileIdentity executed = identity(file);
    // Another file renamed over the path: both existed at once, so the inodes differ.
    Path other = Files.write(tmp.resolve("other"), new byte[] {6, 6, 6});
    ExecutableHashes hashes = new ExecutableHashes(1024, 4);

    assertEquals(hashes.hash(file), hashes.examine(file, executed).orElseThrow().hashes());
    assertEquals(executed.inode(), hashes.examine(file, executed).orElseThrow().inode());

    Files.move(other, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertEquals(Optional.empty(), hashes.examine(file, executed));
    FileIdentity otherDevice =
        new FileIdentity(executed.major() + 1, executed.minor(), identity(file).inode());
    assertEquals(Optional.empty(), hashes.examine(file, otherDevice));
    assertTrue(hashes.examine(file, identity(file)).isPresent());
  }

  @Test
  void aFifoAtThePathIsRejectedBeforeItIsOpened() throws Exception {
    Path fifo = tmp.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    ExecutableHashes hashes = new ExecutableHashes(1024, 4);
    FileIdentity itself = identity(fifo);

    // Opening a FIFO without a writer blocks forever: the guard only keeps a broken build from
    // hanging the test run, it measures nothing.
    assertTimeoutPreemptively(
        Duration.ofMinutes(1),
        () -> {
          assertEquals(Optional.empty(), hashes.examine(fifo, itself));
          assertEquals(Optional.empty(), hashes.hash(fifo));
        });
    assertEquals(0, hashes.fileReads());
  }

  @Test
  void deviceNumbersSplitAndJoinTheLinuxWay() {
    // Major 0x1003 and minor 0x10001 both need the high parts of glibc's makedev encoding.
    long dev = 0x1000_1000_0301L;
    FileIdentity id = new FileIdentity(0x1003, 0x10001, 7);

    assertEquals(dev, id.device());
    assertEquals(0x1003, FileIdentity.major(dev));
    assertEquals(0x10001, FileIdentity.minor(dev));
    assertEquals(0xfd, FileIdentity.major(0xfd01));
    assertEquals(0x01, FileIdentity.minor(0xfd01));
    assertEquals(id, FileIdentity.ofStat(dev, 7));
    assertTrue(id.matches(dev, 7));
    assertFalse(id.matches(dev, 8));
    assertFalse(id.matches(0x0301, 7)); // same low bits, other device
  }

  @Test
  void atReducedDetailOnlyCachedFilesAreGivenAndEverySkippedOneIsCounted() throws IOException {
    Path known = Files.writeString(tmp.resolve("known"), "#!/bin/sh\necho known\n");
    Path fresh = Files.writeString(tmp.resolve("fresh"), "#!/bin/sh\necho fresh\n");
    ExecutableHashes hashes = new ExecutableHashes();
    io.vigil.agent.sensor.DetailLevel detail = io.vigil.agent.sensor.DetailLevel.full();
    io.vigil.agent.sensor.Reduction reduction = detail.reduction("process_exec_hash", "process");
    hashes.skipUncachedWhen(reduction);
    ExecutableHashes.Hashes first = hashes.hash(known).orElseThrow();

    detail.reduce(true);
    assertEquals(first, hashes.hash(known).orElseThrow(), "the cache still answers");
    assertTrue(hashes.hash(fresh).isEmpty());
    assertEquals(1, hashes.fileReads());
    assertEquals(1, reduction.skippedCount());

    detail.reduce(false);
    assertTrue(hashes.hash(fresh).isPresent());
    assertEquals(2, hashes.fileReads());
    assertEquals(1, reduction.skippedCount());
  }
}
