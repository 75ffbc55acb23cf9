package io.vigil.agent.packet.tls;

import static io.vigil.agent.packet.tls.TlsWire.concat;
import static io.vigil.agent.packet.tls.TlsWire.handshake;
import static io.vigil.agent.packet.tls.TlsWire.u8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakeAssemblerTest {
  private final List<String> seen = new ArrayList<>();
  private final HandshakeHandler record = (t, b) -> seen.add(t + ":" + TlsWire.hexOf(b));

  private static final byte[] STREAM =
      concat(
          handshake(2, u8(1, 2, 3)),
          handshake(11, new byte[0]),
          handshake(14, u8(9, 8, 7, 6, 5, 4, 3, 2, 1, 0)));
  private static final List<String> MESSAGES =
      List.of("2:010203", "11:", "14:09080706050403020100");

  @Test
  void severalMessagesInOnePieceAreSplit() {
    HandshakeAssembler a = new HandshakeAssembler(record, 100);
    assertTrue(a.feed(STREAM, 0, STREAM.length));
    assertEquals(MESSAGES, seen);
    assertFalse(a.midMessage());
  }

  @Test
  void aStreamCutAtEveryByteGivesTheSameMessages() {
    for (int cut = 0; cut <= STREAM.length; cut++) {
      seen.clear();
      HandshakeAssembler a = new HandshakeAssembler(record, 100);
      a.feed(STREAM, 0, cut);
      a.feed(STREAM, cut, STREAM.length - cut);
      assertEquals(MESSAGES, seen, "cut at " + cut);
    }
    seen.clear();
    HandshakeAssembler a = new HandshakeAssembler(record, 100);
    for (int i = 0; i < STREAM.length; i++) {
      a.feed(STREAM, i, 1);
    }
    assertEquals(MESSAGES, seen, "byte by byte");
  }

  @Test
  void aMessageOverTheBoundIsMalformedBeforeItsBodyArrives() {
    HandshakeAssembler a = new HandshakeAssembler(record, 10);
    byte[] ok = handshake(1, new byte[10]);
    byte[] tooBig = handshake(1, new byte[11]);
    assertTrue(a.feed(ok, 0, ok.length));
    assertFalse(a.feed(tooBig, 0, 4), "the header alone is enough to refuse it");
    assertEquals(TlsMalformed.TOO_LARGE, a.malformed());
    assertFalse(a.feed(ok, 0, ok.length), "nothing after");
    assertEquals(1, seen.size());
  }

  @Test
  void theHandlerOwnsEachBody() {
    List<byte[]> bodies = new ArrayList<>();
    HandshakeAssembler a = new HandshakeAssembler((t, b) -> bodies.add(b), 100);
    a.feed(STREAM, 0, STREAM.length);
    a.feed(STREAM, 0, STREAM.length);
    assertArrayEquals(u8(1, 2, 3), bodies.get(0));
    assertTrue(bodies.get(0) != bodies.get(3), "a fresh array per message");
  }

  @Test
  void stopIgnoresTheRestEvenOfTheSamePiece() {
    HandshakeAssembler[] self = new HandshakeAssembler[1];
    self[0] =
        new HandshakeAssembler(
            (t, b) -> {
              seen.add(String.valueOf(t));
              self[0].stop();
            },
            100);
    self[0].feed(STREAM, 0, STREAM.length);
    assertEquals(List.of("2"), seen);
    assertNull(self[0].malformed());
    assertFalse(self[0].midMessage());
  }

  @Test
  void aSpoofedHeaderAloneDoesNotAllocateTheAnnouncedBody() {
    int bound = 128 * 1024;
    HandshakeAssembler a = new HandshakeAssembler(record, bound);
    byte[] header = {11, 0x01, (byte) 0xff, (byte) 0xff}; // a 131,071-byte certificate message
    assertTrue(a.feed(header, 0, 4));
    assertTrue(a.feed(new byte[10], 0, 10));
    assertTrue(a.midMessage());
    assertTrue(
        a.bufferCapacity() <= HandshakeAssembler.INITIAL_BODY,
        "holds " + a.bufferCapacity() + " bytes for 10 received");
  }

  @Test
  void aLargeMessageArrivingPieceByPieceGrowsToExactlyItsLength() {
    byte[] body = new byte[70_000];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31);
    }
    byte[] wire = handshake(11, body);
    List<byte[]> bodies = new ArrayList<>();
    HandshakeAssembler a = new HandshakeAssembler((t, b) -> bodies.add(b), 128 * 1024);
    for (int off = 0; off < wire.length; off += 1000) {
      a.feed(wire, off, Math.min(1000, wire.length - off));
      int received = Math.max(0, Math.min(off + 1000, wire.length) - 4);
      if (a.midMessage()) {
        assertTrue(a.bufferCapacity() <= Math.max(2 * received, HandshakeAssembler.INITIAL_BODY));
      }
    }
    assertEquals(1, bodies.size());
    assertArrayEquals(body, bodies.get(0));
    assertEquals(0, a.bufferCapacity());
  }

  @Test
  void badArgumentsAreCallerBugs() {
    assertThrows(IllegalArgumentException.class, () -> new HandshakeAssembler(record, 0));
    HandshakeAssembler a = new HandshakeAssembler(record, 10);
    assertThrows(IndexOutOfBoundsException.class, () -> a.feed(new byte[4], 2, 3));
  }
}
