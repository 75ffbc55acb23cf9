package io.vigil.agent.sensor.file.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class DirectoryCacheTest {
  private static DirectoryCache.Key key(long fsid, int id) {
    return new DirectoryCache.Key(fsid, new byte[] {8, 0, 0, 0, 1, 0, 0, 0, (byte) id, 0, 0, 0});
  }

  private static DirectoryCache.Dir dir(String path) {
    return new DirectoryCache.Dir(path, path.length(), PathInterest.Interest.ALL);
  }

  @Test
  void keysCompareHandleBytesAndFilesystem() {
    DirectoryCache c = new DirectoryCache(10);
    c.put(key(1, 5), dir("/a"));
    assertNotNull(c.get(key(1, 5)), "equal bytes in a new array");
    assertNull(c.get(key(2, 5)), "same handle on another filesystem");
    assertNull(c.get(key(1, 6)));
  }

  @Test
  void theLeastRecentlyUsedEntryIsEvicted() {
    DirectoryCache c = new DirectoryCache(2);
    c.put(key(1, 1), dir("/a"));
    c.put(key(1, 2), dir("/b"));
    c.get(key(1, 1));
    c.put(key(1, 3), dir("/c"));
    assertEquals(2, c.size());
    assertNotNull(c.get(key(1, 1)));
    assertNull(c.get(key(1, 2)), "least recently used");
  }

  @Test
  void invalidatingADirectoryForgetsItAndEverythingBelowButNotItsSiblings() {
    DirectoryCache c = new DirectoryCache(10);
    c.put(key(1, 1), dir("/a/b"));
    c.put(key(1, 2), dir("/a/b/c"));
    c.put(key(1, 3), dir("/a/bc"));
    c.put(key(1, 4), dir("/a"));
    assertEquals(2, c.invalidate("/a/b"));
    assertNull(c.get(key(1, 1)));
    assertNull(c.get(key(1, 2)));
    assertNotNull(c.get(key(1, 3)));
    assertNotNull(c.get(key(1, 4)));
    c.clear();
    assertEquals(0, c.size());
  }
}
