package io.vigil.agent.packet.quic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Filled ranges of the CRYPTO stream merge as pieces arrive in any order. */
class CryptoReassemblyTest {
  private static final byte[] DATA = Frames.clientHello(100);

  private static CryptoReassembly.Added add(CryptoReassembly r, int from, int to) {
    return r.add(from, DATA, from, to - from);
  }

  @Test
  void piecesMergeWhenTheyTouchOrOverlap() {
    CryptoReassembly r = new CryptoReassembly(100, 8);
    add(r, 50, 60);
    add(r, 10, 20);
    add(r, 30, 40);
    assertEquals(3, r.pieces());
    assertEquals(0, r.contiguous());
    add(r, 20, 30); // touches both neighbours: three become one
    assertEquals(2, r.pieces());
    add(r, 0, 12);
    assertEquals(40, r.contiguous());
    add(r, 35, 55); // overlaps both ends
    assertEquals(1, r.pieces());
    assertEquals(60, r.contiguous());
    add(r, 0, 100);
    assertEquals(1, r.pieces());
    assertArrayEquals(DATA, r.prefix(100));
  }

  @Test
  void boundsAreKept() {
    CryptoReassembly r = new CryptoReassembly(100, 2);
    assertEquals(CryptoReassembly.Added.TOO_LARGE, r.add(95, DATA, 0, 6));
    assertEquals(CryptoReassembly.Added.TOO_LARGE, r.add(Long.MAX_VALUE / 2, DATA, 0, 1));
    assertEquals(CryptoReassembly.Added.OK, r.add(94, DATA, 0, 6));
    assertEquals(CryptoReassembly.Added.OK, r.add(10, DATA, 0, 1));
    assertEquals(CryptoReassembly.Added.TOO_FRAGMENTED, r.add(50, DATA, 0, 1));
    assertEquals(CryptoReassembly.Added.OK, r.add(11, DATA, 0, 5), "merging needs no new piece");
    assertEquals(CryptoReassembly.Added.OK, r.add(0, DATA, 0, 0), "empty pieces are nothing");
    assertEquals(2, r.pieces());
  }

  /** One byte at the far end of the bound used to allocate the whole bound. */
  @Test
  void aPieceFarPastTheGapIsRefusedAndMemoryFollowsWhatWasSent() {
    int max = 64 * 1024;
    byte[] big = new byte[max];
    CryptoReassembly r = new CryptoReassembly(max, 256);
    assertEquals(CryptoReassembly.Added.TOO_FAR_AHEAD, r.add(max - 1, big, 0, 1));
    assertEquals(0, r.pieces());
    assertTrue(r.allocatedBytes() < 1024, "nothing held, nothing allocated: " + r.allocatedBytes());
    // Within the window: allocated up to the piece, not to the bound.
    int w = CryptoReassembly.DEFAULT_WINDOW;
    assertEquals(CryptoReassembly.Added.OK, r.add(w, big, 0, 1));
    assertTrue(r.allocatedBytes() <= w + 1 + 1024, "allocated " + r.allocatedBytes());
    assertEquals(CryptoReassembly.Added.TOO_FAR_AHEAD, r.add(w + 1, big, 0, 1));
    // The window moves with the contiguous prefix, and a large piece at its edge is taken whole.
    assertEquals(CryptoReassembly.Added.OK, r.add(0, big, 0, 100));
    assertEquals(CryptoReassembly.Added.OK, r.add(w + 100, big, 0, 20_000));
    assertEquals(100, r.contiguous());
    assertTrue(r.allocatedBytes() <= w + 100 + 20_000 + 1024, "allocated " + r.allocatedBytes());
    assertEquals(CryptoReassembly.Added.OK, r.add(100, big, 100, w + 100 - 100));
    assertEquals(w + 100 + 20_000, r.contiguous());
  }
}
