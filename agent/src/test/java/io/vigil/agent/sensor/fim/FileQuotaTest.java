package io.vigil.agent.sensor.fim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FileQuotaTest {
  /** Counts paths of {@code owner} until refused; returns how many were counted. */
  private static int fill(FileQuota q, int owner) {
    int n = 0;
    while (q.admits(owner)) {
      q.add(owner);
      n++;
    }
    return n;
  }

  @Test
  void aFloodedPatternLeavesTheOthersHalfTheirShare() {
    FileQuota q = new FileQuota(100, 4); // share 25, 13 guaranteed
    assertEquals(100 - 3 * 13, fill(q, 0), "the first pattern met takes all but the reserves");
    assertEquals(List.of("a"), q.refused(List.of("a", "b", "c", "d")));
    assertEquals(13, fill(q, 2), "a pattern met later still gets its reserve");
    assertEquals(13, fill(q, 3));
    assertEquals(13, fill(q, 1));
    assertTrue(q.full());
    assertEquals(List.of("a", "b", "c", "d"), q.refused(List.of("a", "b", "c", "d")));
  }

  @Test
  void whatOnePatternLeavesUnusedTheOthersCanHave() {
    FileQuota q = new FileQuota(100, 2); // share 50, 25 guaranteed
    for (int i = 0; i < 5; i++) {
      q.add(1); // a small pattern: 5 paths, 20 more reserved
    }
    assertEquals(100 - 5 - 20, fill(q, 0), "beyond its share of 50");
    assertEquals(20, fill(q, 1), "and the small one can still reach its guarantee");
    assertEquals(100, q.used(0) + q.used(1));
  }

  @Test
  void pathsWithoutAPatternTakeOnlyUnreservedRoomAndRemovingFreesRoom() {
    FileQuota q = new FileQuota(10, 2); // share 5, 3 guaranteed each
    assertEquals(4, fill(q, -1));
    assertFalse(q.admits(-1));
    assertEquals(List.of(), q.refused(List.of("a", "b")), "no pattern was refused");
    q.remove(-1);
    assertTrue(q.admits(-1));
    assertEquals(3, fill(q, 0) - 1, "one freed path, then its reserve");
    assertEquals(3, fill(q, 1));
  }

  @Test
  void morePatternsThanPathsIsFirstCome() {
    FileQuota q = new FileQuota(2, 5); // share 0: nothing reserved
    assertEquals(2, fill(q, 4));
    assertFalse(q.admits(0));
  }
}
