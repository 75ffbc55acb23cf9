package io.vigil.agent.sensor.file.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PathTextTest {
  @Test
  void rawBytesBecomeLosslessText() {
    assertEquals("/t/a\\\\b", PathText.of(new byte[] {'/', 't', '/', 'a', '\\', 'b'}));
    assertEquals("/t/\\xFF", PathText.of(new byte[] {'/', 't', '/', (byte) 0xFF}));
    assertEquals("/t/é", PathText.of("/t/é".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void pathsJoinSplitAndNest() {
    assertEquals("/a/b", PathText.join("/a", "b"));
    assertEquals("/b", PathText.join("/", "b"));
    assertEquals(4, PathText.joinedLength(2, 1, false));
    assertEquals(2, PathText.joinedLength(1, 1, true));
    assertEquals("/a", PathText.parent("/a/b"));
    assertEquals("/", PathText.parent("/a"));
    assertArrayEquals("/a".getBytes(), PathText.parentRaw("/a/b".getBytes()));
    assertArrayEquals("/".getBytes(), PathText.parentRaw("/a".getBytes()));
    assertTrue(PathText.under("/a/b", "/a"));
    assertTrue(PathText.under("/a", "/a"));
    assertFalse(PathText.under("/ab", "/a"));
    assertTrue(PathText.under("/x", "/"));
  }
}
