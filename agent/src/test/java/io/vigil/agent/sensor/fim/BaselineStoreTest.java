package io.vigil.agent.sensor.fim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.fim.FimDigest;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselineStoreTest {
  @TempDir Path dir;

  static Baseline sample() {
    return new Baseline(
        "id-1",
        Map.of(
            "/etc/passwd",
            FileState.newBuilder()
                .setExists(true)
                .setSha256("ab".repeat(32))
                .setSize(10)
                .setHashedBytes(10)
                .setMode(0100644)
                .setMtimeNs(1_700_000_000_123_456_789L)
                .build(),
            "/etc/gone",
            FileState.newBuilder().setExists(false).build(),
            "/etc/\u00e9t\u00e9",
            FileState.newBuilder().setExists(true).setMode(040755).build()));
  }

  @Test
  void savesAndLoadsEverything() throws IOException {
    BaselineStore store = new BaselineStore(dir.resolve("state"));
    assertTrue(store.load().isEmpty(), "nothing saved yet");
    Baseline b = sample();
    BaselineStore.Scope scope = new BaselineStore.Scope(List.of("/usr/bin", "/etc"), List.of(), 64);
    store.save(b, scope, true);

    BaselineStore.Stored s = store.load().orElseThrow();
    assertEquals("id-1", s.baseline().id());
    assertEquals(b.sortedEntries(), s.baseline().sortedEntries());
    assertEquals(1, s.baseline().tombstones());
    assertEquals(new BaselineStore.Scope(List.of("/etc", "/usr/bin"), List.of(), 64), s.scope());
    assertTrue(s.resyncPending());
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())));
    assertFalse(Files.exists(dir.resolve("state/fim-baseline.pb.tmp")));
    assertEquals(FimDigest.of(b.sortedEntries()), Baseline.digest(s.baseline().sortedEntries()));
  }

  @Test
  void everyFlippedByteIsRefused() throws IOException {
    BaselineStore store = new BaselineStore(dir);
    store.save(sample(), new BaselineStore.Scope(List.of("/etc"), List.of(), 64), false);
    byte[] good = Files.readAllBytes(store.file());
    for (int i = 0; i < good.length; i += Math.max(1, good.length / 50)) {
      byte[] bad = good.clone();
      bad[i] ^= 0x10;
      Files.write(store.file(), bad);
      int at = i;
      assertThrows(IOException.class, store::load, () -> "byte " + at + " flipped");
    }
    Files.write(store.file(), new byte[] {1, 2, 3});
    assertThrows(IOException.class, store::load);
    Files.write(store.file(), good);
    assertEquals("id-1", store.load().orElseThrow().baseline().id());
  }

  @Test
  void pathsUnderADirectoryAndDigestOrder() {
    Baseline b = Baseline.fresh();
    FileState s = FileState.newBuilder().setExists(true).build();
    for (String p :
        List.of(
            "/a", "/a/b", "/a/b/c", "/a-x", "/a.y", "/ab", "/b", "/a/\uD83D\uDE00", "/a/\uFFFD")) {
      b.put(p, s);
    }
    assertEquals(
        List.of("/a", "/a/b", "/a/b/c", "/a/\uD83D\uDE00", "/a/\uFFFD"), b.pathsUnder("/a"));
    assertEquals(9, b.pathsUnder("/").size());
    List<FimEntry> sorted = b.sortedEntries();
    for (int i = 1; i < sorted.size(); i++) {
      assertTrue(FimDigest.comparePaths(sorted.get(i - 1).getPath(), sorted.get(i).getPath()) < 0);
    }
    assertEquals(FimDigest.of(sorted), Baseline.digest(sorted));
  }
}
