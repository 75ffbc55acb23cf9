package io.vigil.agent.platform.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The no-link walk and the descriptor-relative calls, on real files. */
class DirectoryHandleTest {
  @TempDir Path dir;

  @Test
  void theWalkRefusesALinkInAnyComponent() throws Exception {
    Path real = Files.createDirectories(dir.resolve("real/inner"));
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
    SymbolicLinkOnPathException e =
        assertThrows(
            SymbolicLinkOnPathException.class,
            () -> DirectoryHandle.walk(dir.resolve("link/inner")));
    assertEquals(dir.resolve("link"), e.link());
    assertEquals(dir.resolve("real").toString(), e.target());
    try (DirectoryHandle h = DirectoryHandle.walk(real)) {
      assertEquals(real.toRealPath(), h.realPath());
    }
    assertThrows(NoSuchFileException.class, () -> DirectoryHandle.walk(dir.resolve("missing/x")));
    Files.writeString(dir.resolve("file"), "f");
    assertThrows(NotDirectoryException.class, () -> DirectoryHandle.walk(dir.resolve("file/x")));
  }

  @Test
  void theHandleStaysOnItsDirectoryWhenThePathIsSwappedForALink() throws Exception {
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Path other = Files.createDirectory(dir.resolve("other"));
    Files.writeString(sub.resolve("f"), "mine");
    Files.writeString(other.resolve("f"), "theirs");
    try (DirectoryHandle h = DirectoryHandle.walk(sub)) {
      Files.move(sub, dir.resolve("moved"));
      Files.createSymbolicLink(sub, other);
      assertEquals(dir.resolve("moved").toRealPath(), h.realPath());
      try (FileHandle f = h.openRead("f")) {
        assertEquals("mine", Files.readString(f.procPath()));
      }
      try (DirectoryHandle to = DirectoryHandle.walk(dir)) {
        assertEquals(FileMetadata.RenameOutcome.RENAMED, h.renameNoReplace("f", to, "g"));
        assertEquals(
            FileMetadata.RenameOutcome.TARGET_EXISTS, to.renameNoReplace("g", to, "moved"));
      }
    }
    assertEquals("theirs", Files.readString(other.resolve("f")));
    assertEquals("mine", Files.readString(dir.resolve("g")));
  }

  @Test
  void openReadRefusesLinksAndNonRegularFiles() throws Exception {
    Files.writeString(dir.resolve("target"), "t");
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("target"));
    Files.createDirectory(dir.resolve("d"));
    try (DirectoryHandle h = DirectoryHandle.walk(dir)) {
      assertTrue(h.statusOf("link").orElseThrow().isSymbolicLink());
      assertTrue(h.statusOf("missing").isEmpty());
      assertThrows(FileMetadataException.class, () -> h.openRead("link"));
      assertThrows(FileMetadataException.class, () -> h.openRead("d"));
      assertThrows(IllegalArgumentException.class, () -> h.statusOf("../x"));
      assertThrows(IllegalArgumentException.class, () -> h.statusOf(".."));
    }
  }

  @Test
  void anUnnamedFileGetsItsMetadataBeforeItsName() throws Exception {
    try (DirectoryHandle h = DirectoryHandle.walk(dir);
        FileHandle f = h.createUnnamed()) {
      Files.writeString(f.procPath(), "content");
      f.setMode(0640);
      f.setTimes(1_600_000_000_123_456_789L, 1_500_000_000_987_654_321L);
      f.writeAttribute("user.vigil", new byte[] {1, 2});
      assertFalse(Files.exists(dir.resolve("named")));
      assertTrue(h.link(f, "named"));
      assertFalse(h.link(f, "named"), "never replaces");
      FileStatus s = h.statusOf("named").orElseThrow();
      assertEquals(0640, s.permissions());
      assertEquals(1_500_000_000_987_654_321L, s.modifiedNanos());
      assertEquals(7, s.size());
      assertTrue(s.sameFileAs(f.status()));
      assertEquals(2, f.readAttributes().get("user.vigil").length);
    }
    assertEquals("content", Files.readString(dir.resolve("named")));
  }
}
