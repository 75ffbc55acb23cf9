package io.vigil.proto.fim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

class FimDigestTest {
  private static FimEntry entry(String path, String sha, long mtime) {
    return FimEntry.newBuilder()
        .setPath(path)
        .setState(
            FileState.newBuilder()
                .setExists(true)
                .setSha256(sha)
                .setSize(3)
                .setMode(0100644)
                .setMtimeNs(mtime)
                .setInode(7)
                .setDevice(1))
        .build();
  }

  @Test
  void orderOfInputDoesNotMatter() {
    FimEntry a = entry("/etc/a", "aa", 1);
    FimEntry b = entry("/etc/b", "bb", 1);
    assertEquals(FimDigest.of(List.of(a, b)), FimDigest.of(List.of(b, a)));
  }

  @Test
  void everyComparedFieldChangesTheDigest() {
    FimEntry a = entry("/etc/a", "aa", 1);
    String base = FimDigest.of(List.of(a));
    assertNotEquals(base, FimDigest.of(List.of(entry("/etc/a", "ab", 1))));
    assertNotEquals(base, FimDigest.of(List.of(entry("/etc/a", "aa", 2))));
    assertNotEquals(base, FimDigest.of(List.of(entry("/etc/b", "aa", 1))));
    assertNotEquals(base, FimDigest.of(List.of()));
  }

  @Test
  void deviceIsNotCompared() {
    FimEntry a = entry("/etc/a", "aa", 1);
    FimEntry moved = a.toBuilder().setState(a.getState().toBuilder().setDevice(99)).build();
    assertEquals(FimDigest.of(List.of(a)), FimDigest.of(List.of(moved)));
    assertEquals(List.of(), FimCompare.changed(a.getState(), moved.getState()));
  }

  @Test
  void pathsAreOrderedByUtf8Bytes() {
    // "é" (U+00E9) is 0xC3 0xA9 in UTF-8 and sorts after "z"; a char-wise order would agree here
    // but not for surrogate pairs, which is why bytes decide.
    FimDigest d = new FimDigest();
    d.add(entry("/z", "", 0));
    d.add(entry("/\u00e9", "", 0));
    d.add(entry("/\ud83d\ude00", "", 0));
    assertEquals(3, d.entries());
    assertThrows(
        IllegalArgumentException.class,
        () -> new FimDigest().add(entry("/b", "", 0)).add(entry("/a", "", 0)));
  }

  @Test
  void compareNamesEachDifference() {
    FileState s = entry("/x", "aa", 1).getState();
    FileState t = s.toBuilder().setSha256("bb").setMode(0100755).setUid(5).setCtimeNs(9).build();
    assertEquals(List.of("content", "mode", "owner", "ctime"), FimCompare.changed(s, t));
    assertEquals(
        List.of("deleted"), FimCompare.changed(s, FileState.newBuilder().setExists(false).build()));
    assertEquals(List.of("created"), FimCompare.changed(FileState.getDefaultInstance(), s));
  }
}
