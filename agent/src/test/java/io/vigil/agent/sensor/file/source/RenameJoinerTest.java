package io.vigil.agent.sensor.file.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RenameJoinerTest {
  private static RenameJoiner.Move move(int mask, int cookie, String path) {
    return new RenameJoiner.Move(mask, cookie, path, path.getBytes());
  }

  @Test
  void halvesWithTheSameCookieAreJoined() {
    RenameJoiner j = new RenameJoiner();
    RenameJoiner.Move from = move(0x40, 7, "/t/a");
    assertNull(j.from(from));
    assertTrue(j.holding());
    assertTrue(j.holds(7));
    assertFalse(j.holds(8));
    assertSame(from, j.to(move(0x80, 7, "/t/b")));
    assertFalse(j.holding());
  }

  @Test
  void aToWithoutItsFromWasMovedInAndUnclaimedFromsAreDrainedInOrder() {
    RenameJoiner j = new RenameJoiner();
    assertNull(j.to(move(0x80, 1, "/t/in")));
    j.from(move(0x40, 2, "/t/x"));
    j.from(move(0x40, 3, "/t/y"));
    List<RenameJoiner.Move> out = j.drain();
    assertEquals(List.of("/t/x", "/t/y"), out.stream().map(RenameJoiner.Move::path).toList());
    assertFalse(j.holding());
  }

  @Test
  void heldHalvesAreBoundedAndAReusedCookieGivesUpTheEarlierHalf() {
    RenameJoiner j = new RenameJoiner();
    for (int i = 0; i < RenameJoiner.MAX_HELD; i++) {
      assertNull(j.from(move(0x40, i, "/t/" + i)));
    }
    assertEquals("/t/0", j.from(move(0x40, -1, "/t/over")).path());
    assertEquals("/t/5", j.from(move(0x40, 5, "/t/again")).path());
    assertEquals(RenameJoiner.MAX_HELD, j.drain().size());
  }
}
