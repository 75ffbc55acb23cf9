package io.vigil.agent.platform.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Platform;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryReaderTest {
  static byte[] dirent(String name, int type, int reclen) {
    ByteBuffer b = ByteBuffer.allocate(reclen).order(ByteOrder.nativeOrder());
    b.putLong(1).putLong(2).putShort((short) reclen).put((byte) type);
    b.put(name.getBytes(StandardCharsets.UTF_8));
    return b.array();
  }

  @Test
  void recordsAreWalkedSkippingDotsAndAnImpossibleLengthEndsTheWalk() {
    ByteBuffer b = ByteBuffer.allocate(200).order(ByteOrder.nativeOrder());
    b.put(dirent(".", 4, 24)).put(dirent("..", 4, 24)).put(dirent("sub", 4, 24));
    b.put(dirent("file.txt", 8, 32)).put(dirent("odd", 0, 24));
    b.flip();
    List<String> seen = new ArrayList<>();
    assertTrue(DirectoryReader.parse(b, (n, t) -> seen.add(new String(n) + ":" + t)));
    assertEquals(List.of("sub:4", "file.txt:8", "odd:0"), seen);

    ByteBuffer bad = ByteBuffer.allocate(48).order(ByteOrder.nativeOrder());
    bad.put(dirent("ok", 8, 24)).put(dirent("bad", 8, 24));
    bad.putShort(24 + 16, (short) 500).flip();
    seen.clear();
    assertFalse(DirectoryReader.parse(bad, (n, t) -> seen.add(new String(n))));
    assertEquals(List.of("ok"), seen);
  }

  @Test
  void listsRealEntriesWithRawNamesAndTypes(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(Platform.isLinux());
    Files.createDirectory(dir.resolve("sub"));
    Files.writeString(dir.resolve("file"), "x");
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("sub"));
    // A name that is not UTF-8 (byte 0xFF), which java.nio.file cannot name faithfully.
    Process p =
        new ProcessBuilder("sh", "-c", "touch \"$(printf 'bad\\377name')\"")
            .directory(dir.toFile())
            .start();
    assertEquals(0, p.waitFor());
    Map<String, Boolean> entries = new HashMap<>();
    try (DirectoryReader r = new DirectoryReader()) {
      int n =
          r.list(
              dir.toString().getBytes(StandardCharsets.UTF_8),
              e -> entries.put(new String(e.name(), StandardCharsets.ISO_8859_1), e.directory()));
      assertEquals(4, n);
      assertThrows(
          FileNotifyException.class,
          () -> r.list(dir.resolve("link").toString().getBytes(StandardCharsets.UTF_8), e -> {}));
    }
    assertEquals(true, entries.get("sub"));
    assertEquals(false, entries.get("file"));
    assertEquals(false, entries.get("link"), "a symbolic link is not a directory");
    assertTrue(entries.containsKey("bad\u00FFname"), entries.toString());
  }
}
