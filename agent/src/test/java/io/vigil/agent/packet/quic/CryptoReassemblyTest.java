package io.vigil.agent.packet.quic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
