package io.vigil.collector.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.fim.FimDigest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The integrity mirror's tables: path order, staging, differences, migration from version 3. */
class FimWritesTest {
  private static final String AGENT = "agent-fim";

  @TempDir Path dir;

  private static byte[] key(String path) {
    return path.getBytes(StandardCharsets.UTF_8);
  }

  private static String path(byte[] key) {
    return new String(key, StandardCharsets.UTF_8);
  }

  /** Random paths over the code points where UTF-8 order and UTF-16 order part ways. */
  private static List<String> trickyPaths(Random r, int n) {
    int[] pool = {0, 'a', 'z', '/', 0x7f, 0x80, 0x7ff, 0x800, 0xe9, 0xfffd, 0xffff, 0x10000};
    Set<String> out = new HashSet<>();
    while (out.size() < n) {
      StringBuilder b = new StringBuilder("/");
      int len = 1 + r.nextInt(6);
      for (int i = 0; i < len; i++) {
        int cp = r.nextInt(4) == 0 ? 0x1f600 + r.nextInt(64) : pool[r.nextInt(pool.length)];
        b.appendCodePoint(cp);
      }
      out.add(b.toString());
    }
    return new ArrayList<>(out);
  }

  @Test
  void mirrorRowsComeBackInTheOrderFimDigestTakesThem() {
    List<String> paths = trickyPaths(new Random(42), 500);
    try (EventStore store = EventStore.open(dir.resolve("vigil.db"))) {
      FimWrites fim = store.fim();
      for (String p : paths) {
        fim.putMirrored(AGENT, key(p), new byte[] {1});
        assertTrue(fim.stage(AGENT, "b1", key(p), new byte[] {2}));
      }
      fim.putMirrored("another-agent", key("/etc/passwd"), new byte[] {1});
      store.commit();

      List<String> expected = new ArrayList<>(paths);
      expected.sort(FimDigest::comparePaths);
      List<String> mirrored = new ArrayList<>();
      fim.forEachMirrored(AGENT, (p, s) -> mirrored.add(path(p)));
      assertEquals(expected, mirrored);
      List<String> staged = new ArrayList<>();
      fim.forEachStaged(AGENT, "b1", (p, s) -> staged.add(path(p)));
      assertEquals(expected, staged);
      // Java's own String order differs on these: the test would notice a store that used it.
      List<String> utf16 = new ArrayList<>(paths);
      utf16.sort(String::compareTo);
      assertFalse(utf16.equals(expected), "the sample tells the two orders apart");
    }
  }

  @Test
  void stagingDeduplicatesAndDifferencesSkipEqualBytes() {
    try (EventStore store = EventStore.open(dir.resolve("vigil.db"))) {
      FimWrites fim = store.fim();
      fim.putMirrored(AGENT, key("/same"), new byte[] {1});
      fim.putMirrored(AGENT, key("/changed"), new byte[] {1});
      fim.putMirrored(AGENT, key("/gone"), new byte[] {1});
      fim.stage(AGENT, "b2", key("/same"), new byte[] {1});
      fim.stage(AGENT, "b2", key("/changed"), new byte[] {9});
      assertTrue(fim.stage(AGENT, "b2", key("/new"), new byte[] {7}));
      assertFalse(fim.stage(AGENT, "b2", key("/new"), new byte[] {8}), "a duplicate path");
      fim.stage(AGENT, "other", key("/gone"), new byte[] {1}); // another baseline's row

      List<String> seen = new ArrayList<>();
      fim.forEachDifference(
          AGENT,
          "b2",
          (p, m, s) ->
              seen.add(path(p) + " " + (m == null ? "-" : m[0]) + " " + (s == null ? "-" : s[0])));
      assertEquals(List.of("/changed 1 9", "/gone 1 -", "/new - 8"), seen);

      fim.replaceMirror(AGENT, "b2");
      assertEquals(4, fim.clearStaging(AGENT));
      List<String> mirrored = new ArrayList<>();
      fim.forEachMirrored(AGENT, (p, s) -> mirrored.add(path(p) + " " + s[0]));
      assertEquals(List.of("/changed 9", "/new 8", "/same 1"), mirrored);
      assertTrue(fim.deleteMirrored(AGENT, key("/new")));
      assertFalse(fim.deleteMirrored(AGENT, key("/new")));
      assertNull(fim.mirrored(AGENT, key("/new")));
      store.commit();
    }
  }

  @Test
  void anAgentRowSurvivesReopeningAndAVersion3DatabaseGetsTheTables() throws Exception {
    Path file = dir.resolve("vigil.db");
    try (Connection c = SqliteFiles.openWriter(file)) {
      Schema.migrate(c, 1, 3);
    }
    FimAgentRow row =
        new FimAgentRow(AGENT, "b1", 9, "ab", true, null, "b2", "resync", 4, 2, 7, false, 123);
    try (EventStore store = EventStore.open(file)) {
      assertEquals(FimAgentRow.empty(AGENT), store.fim().agent(AGENT));
      store.fim().saveAgent(row);
      store.commit();
    }
    try (EventStore store = EventStore.open(file)) {
      assertEquals(row, store.fim().agent(AGENT));
    }
    try (Connection c = SqliteFiles.openReader(file)) {
      assertEquals(Schema.currentVersion(), Schema.storedVersion(c));
    }
  }
}
