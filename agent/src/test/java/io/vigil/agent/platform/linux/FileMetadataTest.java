package io.vigil.agent.platform.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The xattr, utimensat and renameat2 bindings on real files. */
class FileMetadataTest {
  @TempDir Path dir;

  @Test
  void attributesRoundTripWithBinaryValues() throws Exception {
    Path f = Files.writeString(dir.resolve("f"), "x");
    assertFalse(FileMetadata.readAttributes(f).containsKey("user.a"));
    byte[] binary = {0, (byte) 0xff, 10, 0};
    FileMetadata.writeAttribute(f, "user.a", binary);
    FileMetadata.writeAttribute(f, "user.b", new byte[0]);
    // ext4 keeps a file's attributes in one block (4 KiB) unless ea_inode is on.
    FileMetadata.writeAttribute(f, "user.big", new byte[3000]);
    SortedMap<String, byte[]> a = FileMetadata.readAttributes(f);
    assertArrayEquals(binary, a.get("user.a"));
    assertArrayEquals(new byte[0], a.get("user.b"));
    assertEquals(3000, a.get("user.big").length);
    FileMetadata.removeAttribute(f, "user.a");
    FileMetadata.removeAttribute(f, "user.a"); // gone already: not an error
    assertFalse(FileMetadata.readAttributes(f).containsKey("user.a"));
    FileMetadataException e =
        assertThrows(
            FileMetadataException.class,
            () -> FileMetadata.writeAttribute(dir.resolve("missing"), "user.a", binary));
    assertEquals(Errno.ENOENT, e.errno());
    assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
  }

  @Test
  void attributesOfALinkAreTheLinksNotTheTargets() throws Exception {
    Path f = Files.writeString(dir.resolve("t"), "x");
    FileMetadata.writeAttribute(f, "user.t", "1".getBytes(StandardCharsets.UTF_8));
    Path link = Files.createSymbolicLink(dir.resolve("l"), f);
    assertFalse(FileMetadata.readAttributes(link).containsKey("user.t"));
  }

  @Test
  void timesKeepTheirNanoseconds() throws Exception {
    Path f = Files.writeString(dir.resolve("n"), "x");
    FileMetadata.setTimes(f, 1_650_000_000_987_654_321L, 1_600_000_000_123_456_789L);
    assertEquals(
        1_600_000_000_123_456_789L,
        ((FileTime) Files.getAttribute(f, "lastModifiedTime")).to(TimeUnit.NANOSECONDS));
    assertEquals(
        1_650_000_000_987_654_321L,
        ((FileTime) Files.getAttribute(f, "lastAccessTime")).to(TimeUnit.NANOSECONDS));
  }

  @Test
  void renameNeverReplaces() throws Exception {
    Path a = Files.writeString(dir.resolve("a"), "a");
    Path b = Files.writeString(dir.resolve("b"), "b");
    assertEquals(FileMetadata.RenameOutcome.TARGET_EXISTS, FileMetadata.renameNoReplace(a, b));
    assertEquals("b", Files.readString(b));
    assertEquals(
        FileMetadata.RenameOutcome.RENAMED, FileMetadata.renameNoReplace(a, dir.resolve("c")));
    assertFalse(Files.exists(a, LinkOption.NOFOLLOW_LINKS));
    assertEquals("a", Files.readString(dir.resolve("c")));
  }

  @Test
  void renameAcrossFilesystemsSaysSo() throws Exception {
    Path shm = Path.of("/dev/shm");
    assumeTrue(
        Files.isDirectory(shm)
            && !Files.getAttribute(shm, "unix:dev").equals(Files.getAttribute(dir, "unix:dev")));
    Path a = Files.writeString(dir.resolve("x"), "x");
    Path target = shm.resolve("vigil-test-rename-" + ProcessHandle.current().pid());
    try {
      assertEquals(
          FileMetadata.RenameOutcome.CROSS_DEVICE, FileMetadata.renameNoReplace(a, target));
      assertTrue(Files.exists(a));
    } finally {
      Files.deleteIfExists(target);
    }
  }
}
