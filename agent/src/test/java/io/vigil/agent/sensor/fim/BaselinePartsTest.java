package io.vigil.agent.sensor.fim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaselinePartsTest {
  static FimEntry entry(int i, int pathChars) {
    String name = String.format("/etc/%06d-", i);
    return FimEntry.newBuilder()
        .setPath(name + "x".repeat(Math.max(0, pathChars - name.length())))
        .setState(FileState.newBuilder().setExists(true).setSha256("0".repeat(64)))
        .build();
  }

  static int[] sizes(List<FimEntry> entries) {
    return entries.stream().mapToInt(BaselineParts::size).toArray();
  }

  @Test
  void partsAreBoundedByEntriesAndBytesAndCoverEverythingInOrder() {
    List<FimEntry> small = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      small.add(entry(i, 20));
    }
    List<int[]> parts = BaselineParts.split(sizes(small), 1000, BaselineParts.MAX_PART_BYTES);
    assertEquals(3, parts.size());
    assertArrayEquals(new int[] {0, 1000}, parts.get(0));
    assertArrayEquals(new int[] {2000, 2500}, parts.get(2));

    List<FimEntry> long_ = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      long_.add(entry(i, 4000));
    }
    List<int[]> byBytes = BaselineParts.split(sizes(long_), 1000, BaselineParts.MAX_PART_BYTES);
    int next = 0;
    for (int[] r : byBytes) {
      assertEquals(next, r[0]);
      next = r[1];
      long bytes = 0;
      for (int i = r[0]; i < r[1]; i++) {
        bytes += long_.get(i).getSerializedSize() + 3;
      }
      assertTrue(bytes <= BaselineParts.MAX_PART_BYTES, "part of " + bytes + " bytes");
    }
    assertEquals(2000, next);
  }

  @Test
  void anEmptyBaselineIsOneEmptyPart() {
    List<int[]> parts = BaselineParts.split(new int[0], 1000, BaselineParts.MAX_PART_BYTES);
    assertEquals(1, parts.size());
    assertArrayEquals(new int[] {0, 0}, parts.get(0));
  }

  @Test
  void oneHugeEntryStillGetsAPart() {
    List<int[]> parts = BaselineParts.split(sizes(List.of(entry(0, 10))), 1, 1);
    assertArrayEquals(new int[] {0, 1}, parts.get(0));
  }
}
