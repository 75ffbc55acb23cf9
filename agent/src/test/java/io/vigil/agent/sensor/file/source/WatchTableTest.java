package io.vigil.agent.sensor.file.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchTableTest {
  private static byte[] raw(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aRenamedDirectoryRewritesItsWatchAndEveryWatchBelowButNoSibling() {
    WatchTable t = new WatchTable();
    t.put(1, "/t", raw("/t"));
    t.put(2, "/t/d", raw("/t/d"));
    t.put(3, "/t/d/s", raw("/t/d/s"));
    t.put(4, "/t/dx", raw("/t/dx"));
    assertEquals(2, t.move("/t/d", raw("/t/d"), "/t/newer", raw("/t/newer")));
    assertEquals("/t/newer", t.get(2).path);
    assertEquals("/t/newer/s", t.get(3).path);
    assertArrayEquals(raw("/t/newer/s"), t.get(3).raw);
    assertEquals("/t/dx", t.get(4).path);
    assertEquals(3, t.wd("/t/newer/s"));
    assertNull(t.wd("/t/d/s"));
  }

  @Test
  void theSameDescriptorKeepsItsRolesAndTakesTheNewPath() {
    WatchTable t = new WatchTable();
    WatchTable.Watch w = t.put(1, "/t/a", raw("/t/a"));
    w.openedDir = true;
    assertSame(w, t.put(1, "/t/b", raw("/t/b")));
    assertTrue(w.openedDir);
    assertNull(t.wd("/t/a"));
    assertEquals(1, t.wd("/t/b"));
    assertEquals(List.of(1), t.under("/t"));
    t.remove(1);
    assertEquals(0, t.size());
    assertNull(t.wd("/t/b"));
  }
}
