package io.vigil.agent.packet.stream;

import static io.vigil.agent.packet.stream.Direction.CLIENT_TO_SERVER;
import static io.vigil.agent.packet.stream.Direction.SERVER_TO_CLIENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TcpReassemblerTest {
  private static final int FIN = 0x01;
  private static final int SYN = 0x02;
  private static final int ACK = 0x10;

  private final Recorder sink = new Recorder();
  private final StreamCounters counters = new StreamCounters();
  private ReassemblyBudget budget = new ReassemblyBudget(ReassemblyBudget.DEFAULT_BYTES);

  private TcpReassembler reassembler(StreamOptions o) {
    return new TcpReassembler(sink, o, budget, counters);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void seg(TcpReassembler r, Direction d, long seq, String data) {
    seg(r, d, seq, ACK, data);
  }

  private static void seg(TcpReassembler r, Direction d, long seq, int flags, String data) {
    byte[] p = b("xx" + data + "yy"); // the payload sits inside a bigger packet, as captured
    r.segment(d, seq, flags, p, 2, data.length(), 1L);
  }

  @Test
  void inOrderBytesAfterTheSynAreDeliveredWithoutCopyingTheHandshake() {
    TcpReassembler r = reassembler(StreamOptions.defaults());
    r.segment(CLIENT_TO_SERVER, 1000, SYN, new byte[0], 0, 0, 1);
    r.segment(SERVER_TO_CLIENT, 5000, SYN | ACK, new byte[0], 0, 0, 1);
    seg(r, CLIENT_TO_SERVER, 1001, "GET / HTTP/1.1\r\n");
    seg(r, CLIENT_TO_SERVER, 1017, "\r\n");
    seg(r, SERVER_TO_CLIENT, 5001, "HTTP/1.1 200 OK\r\n");
    assertEquals("GET / HTTP/1.1\r\n\r\n", sink.text(CLIENT_TO_SERVER));
    assertEquals("HTTP/1.1 200 OK\r\n", sink.text(SERVER_TO_CLIENT));
    assertEquals(1001, r.firstSequence(CLIENT_TO_SERVER));
    assertEquals(0, counters.outOfOrder);
    assertEquals(35, counters.bytesDelivered);
    assertEquals(5, counters.segments);
  }

  @Test
  void segmentsInEveryOrderGiveTheSameStream() {
    String[] parts = {"alpha-", "bravo-", "charlie-", "delta-", "echo"};
    String whole = String.join("", parts);
    List<int[]> orders = new ArrayList<>();
    permute(new int[] {0, 1, 2, 3, 4}, 0, orders);
    assertEquals(120, orders.size());
    for (int[] order : orders) {
      Recorder rec = new Recorder();
      StreamCounters c = new StreamCounters();
      TcpReassembler r = new TcpReassembler(rec, StreamOptions.defaults(), budget, c);
      r.segment(CLIENT_TO_SERVER, 99, SYN, new byte[0], 0, 0, 1);
      for (int i : order) {
        int offset = 0;
        for (int k = 0; k < i; k++) {
          offset += parts[k].length();
        }
        byte[] p = b(parts[i]);
        r.segment(CLIENT_TO_SERVER, 100 + offset, ACK, p, 0, p.length, 1);
      }
      assertEquals(whole, rec.text(CLIENT_TO_SERVER), "order " + java.util.Arrays.toString(order));
      assertEquals(0, c.gaps);
      assertEquals(0, r.buffered());
    }
    assertEquals(0, budget.used(), "every buffered byte given back");
  }

  private static void permute(int[] a, int k, List<int[]> out) {
    if (k == a.length) {
      out.add(a.clone());
      return;
    }
    for (int i = k; i < a.length; i++) {
      int t = a[k];
      a[k] = a[i];
      a[i] = t;
      permute(a, k + 1, out);
      a[i] = a[k];
      a[k] = t;
    }
  }

  @Test
  void duplicatesAndRetransmissionsAreDroppedAndCounted() {
    TcpReassembler r = reassembler(StreamOptions.defaults());
    seg(r, CLIENT_TO_SERVER, 10, "hello ");
    seg(r, CLIENT_TO_SERVER, 10, "hello ");
    seg(r, CLIENT_TO_SERVER, 13, "lo world"); // half old, half new
    assertEquals("hello world", sink.text(CLIENT_TO_SERVER));
    assertEquals(2, counters.retransmitted);
    assertEquals(6 + 3, counters.retransmittedBytes);
  }

  @Test
  void overlapsKeepTheBytesSeenFirstAndCountDifferentOnes() {
    TcpReassembler r = reassembler(StreamOptions.defaults());
    seg(r, CLIENT_TO_SERVER, 0, "AB"); // starts the stream at 0
    seg(r, CLIENT_TO_SERVER, 6, "GHIJ"); // buffered
    seg(r, CLIENT_TO_SERVER, 5, "Fxyz"); // overlaps GHI with other bytes: keeps GHI
    seg(r, CLIENT_TO_SERVER, 8, "IJKL"); // overlaps IJ with the same bytes
    assertEquals(1, counters.overlapsDifferent);
    assertEquals(1, counters.overlapsSame);
    seg(r, CLIENT_TO_SERVER, 2, "CDEQQQ"); // fills the hole; QQQ conflicts with buffered FGH
    assertEquals("ABCDEFGHIJKL", sink.text(CLIENT_TO_SERVER));
    assertEquals(2, counters.overlapsDifferent);
    assertEquals(0, budget.used());
  }

  @Test
  void sequenceNumbersWrapAroundTwoToTheThirtyTwo() {
    TcpReassembler r = reassembler(StreamOptions.defaults());
    long isn = 0xFFFFFFF8L;
    r.segment(CLIENT_TO_SERVER, isn, SYN, new byte[0], 0, 0, 1);
    // "0123456789" starts at isn + 1 = 0xFFFFFFF9: bytes 7.. cross zero.
    seg(r, CLIENT_TO_SERVER, (isn + 1 + 7) & 0xFFFFFFFFL, "789"); // seq 0: ahead, buffered
    seg(r, CLIENT_TO_SERVER, isn + 1, "0123");
    seg(r, CLIENT_TO_SERVER, isn + 5, "456"); // 0xFFFFFFFD..0xFFFFFFFF
    seg(r, CLIENT_TO_SERVER, 3, "abc", FIN);
    assertEquals("0123456789abc", sink.text(CLIENT_TO_SERVER));
    assertTrue(r.closed(CLIENT_TO_SERVER));
    assertEquals(0, counters.gaps);
  }

  private static void seg(TcpReassembler r, Direction d, long seq, String data, int flags) {
    seg(r, d, seq, ACK | flags, data);
  }

  @Test
  void theDirectionBoundSkipsTheHoleAndReportsAGap() {
    // Room for one 10-byte segment out of order (10 + overhead), not two.
    TcpReassembler r =
        reassembler(
            StreamOptions.defaults()
                .withMaxBufferedPerDirection(10 + 2 * ReassemblyBudget.SEGMENT_OVERHEAD - 1));
    seg(r, CLIENT_TO_SERVER, 0, "aaaa");
    seg(r, CLIENT_TO_SERVER, 10, "cccccccccc"); // hole of 6 before it
    seg(r, CLIENT_TO_SERVER, 25, "eeeee"); // does not fit: skip the hole, deliver c, buffer e
    assertEquals("aaaa~~~~~~cccccccccc", sink.text(CLIENT_TO_SERVER));
    assertEquals(1, counters.bufferLimitHits);
    assertEquals(1, counters.gaps);
    assertEquals(6, counters.gapBytes);
    seg(r, CLIENT_TO_SERVER, 20, "ddddd");
    assertEquals("aaaa~~~~~~ccccccccccdddddeeeee", sink.text(CLIENT_TO_SERVER));
    assertEquals(0, r.buffered());
  }

  @Test
  void theSharedBudgetRefusesAcrossConnections() {
    budget = new ReassemblyBudget(100 + ReassemblyBudget.SEGMENT_OVERHEAD);
    Recorder other = new Recorder();
    TcpReassembler a = new TcpReassembler(other, StreamOptions.defaults(), budget, counters);
    TcpReassembler r = reassembler(StreamOptions.defaults());
    seg(a, CLIENT_TO_SERVER, 0, "x");
    seg(a, CLIENT_TO_SERVER, 50, "y".repeat(100)); // takes the whole budget
    assertEquals(100 + ReassemblyBudget.SEGMENT_OVERHEAD, budget.used());
    seg(r, CLIENT_TO_SERVER, 0, "a");
    seg(r, CLIENT_TO_SERVER, 3, "d"); // refused: the hole is skipped at once
    assertEquals("a~~d", sink.text(CLIENT_TO_SERVER));
    assertEquals(1, counters.budgetRefusals);
    assertEquals(1, budget.refusals());
    a.flush(2);
    assertEquals(0, budget.used());
    assertEquals("x" + "~".repeat(49) + "y".repeat(100), other.text(CLIENT_TO_SERVER));
  }

  @Test
  void flushSkipsHolesThenReportsTheFin() {
    TcpReassembler r = reassembler(StreamOptions.defaults());
    seg(r, SERVER_TO_CLIENT, 0, "ab");
    seg(r, SERVER_TO_CLIENT, 5, "fg");
    seg(r, SERVER_TO_CLIENT, 10, "", FIN); // FIN at offset 10: "hij" never seen
    assertFalse(r.closed(SERVER_TO_CLIENT));
    r.flush(9);
    assertEquals("ab~~~fg~~~", sink.text(SERVER_TO_CLIENT));
    assertEquals(List.of("S data 2", "S gap 3", "S data 2", "S gap 3", "S closed"), sink.events);
    assertTrue(r.closed(SERVER_TO_CLIENT));
  }

  @Test
  void afterTheDepthNothingIsDeliveredOrBuffered() {
    TcpReassembler r = reassembler(StreamOptions.defaults().withDepth(8));
    seg(r, CLIENT_TO_SERVER, 0, "12345");
    seg(r, CLIENT_TO_SERVER, 20, "far"); // past the depth: not buffered
    assertEquals(0, r.buffered());
    seg(r, CLIENT_TO_SERVER, 5, "6789abc");
    assertEquals("12345678", sink.text(CLIENT_TO_SERVER));
    assertTrue(r.stopped(CLIENT_TO_SERVER));
    seg(r, CLIENT_TO_SERVER, 12, "more");
    seg(r, CLIENT_TO_SERVER, 100, "even more");
    assertEquals("12345678", sink.text(CLIENT_TO_SERVER));
    assertEquals(1, counters.depthTruncated);
    assertEquals(0, r.buffered());
  }

  @Test
  void aSinkThatWantsNoMoreStopsItsDirectionOnly() {
    TcpReassembler r = reassembler(StreamOptions.defaults());
    sink.wantMore = false;
    seg(r, CLIENT_TO_SERVER, 0, "first");
    seg(r, CLIENT_TO_SERVER, 10, "buffered?");
    seg(r, CLIENT_TO_SERVER, 5, "second", FIN);
    assertEquals("first", sink.text(CLIENT_TO_SERVER));
    assertFalse(sink.closed(CLIENT_TO_SERVER), "a stopped direction hears nothing more");
    assertEquals(1, counters.stoppedByAnalyzer);
    sink.wantMore = true;
    seg(r, SERVER_TO_CLIENT, 0, "reply");
    assertEquals("reply", sink.text(SERVER_TO_CLIENT));
  }

  @Test
  void midStreamPickupStartsAtTheFirstSegmentSeen() {
    TcpReassembler r = reassembler(StreamOptions.defaults());
    seg(r, SERVER_TO_CLIENT, 777777, "body continues");
    seg(r, SERVER_TO_CLIENT, 777770, "earlier"); // before the start: cannot be placed
    assertEquals("body continues", sink.text(SERVER_TO_CLIENT));
    assertEquals(1, counters.retransmitted);
  }

  @Test
  void dataOnTheSynIsTheStreamsFirstByte() {
    TcpReassembler r = reassembler(StreamOptions.defaults());
    seg(r, CLIENT_TO_SERVER, 41, SYN, "GET /tfo");
    seg(r, CLIENT_TO_SERVER, 50, ACK, " HTTP/1.1");
    assertEquals("GET /tfo HTTP/1.1", sink.text(CLIENT_TO_SERVER));
  }

  @Test
  void aHandshakeWithANewInitialNumberRestartsADirectionThatDeliveredNothing() {
    TcpReassembler r = reassembler(StreamOptions.defaults());
    r.segment(SERVER_TO_CLIENT, 0, FIN | ACK, new byte[0], 0, 0, 1); // forged, before the SYN-ACK
    r.segment(SERVER_TO_CLIENT, 26175, SYN | ACK, new byte[0], 0, 0, 1);
    seg(r, SERVER_TO_CLIENT, 26176, "HTTP/1.1 200 OK");
    assertEquals("HTTP/1.1 200 OK", sink.text(SERVER_TO_CLIENT));
    assertFalse(r.closed(SERVER_TO_CLIENT));
  }

  @Test
  void randomSegmentsNeverThrowAndGiveEveryBudgetByteBack() {
    Random rnd = new Random(7);
    for (int round = 0; round < 300; round++) {
      budget = new ReassemblyBudget(rnd.nextInt(20_000));
      Recorder rec = new Recorder();
      TcpReassembler r =
          new TcpReassembler(
              rec,
              StreamOptions.defaults()
                  .withMaxBufferedPerDirection(rnd.nextInt(10_000))
                  .withDepth(rnd.nextInt(50_000)),
              budget,
              counters);
      long isn = rnd.nextLong() & 0xFFFFFFFFL;
      for (int i = 0; i < 200; i++) {
        Direction d = rnd.nextBoolean() ? CLIENT_TO_SERVER : SERVER_TO_CLIENT;
        long seq = rnd.nextInt(10) == 0 ? rnd.nextLong() : isn + rnd.nextInt(60_000) - 1000;
        byte[] p = new byte[rnd.nextInt(1500)];
        rnd.nextBytes(p);
        r.segment(d, seq, rnd.nextInt(256) & ~0x04, p, 0, p.length, i);
      }
      if (rnd.nextBoolean()) {
        r.flush(1);
      }
      r.discard();
      assertEquals(0, budget.used());
    }
  }

  @Test
  void aDirectionDeliversTheSameBytesWhateverTheSegmentation() {
    Random rnd = new Random(11);
    byte[] data = new byte[5000];
    rnd.nextBytes(data);
    for (int round = 0; round < 200; round++) {
      Recorder rec = new Recorder();
      TcpReassembler r = new TcpReassembler(rec, StreamOptions.defaults(), budget, counters);
      long isn = rnd.nextLong() & 0xFFFFFFFFL;
      r.segment(CLIENT_TO_SERVER, isn, SYN, new byte[0], 0, 0, 0);
      // Random overlapping pieces covering everything, sent in random order, some twice.
      List<int[]> pieces = new ArrayList<>();
      for (int at = 0; at < data.length; ) {
        int len = 1 + rnd.nextInt(400);
        int start = Math.max(0, at - rnd.nextInt(50));
        int end = Math.min(data.length, at + len);
        pieces.add(new int[] {start, end});
        at = end;
      }
      java.util.Collections.shuffle(pieces, rnd);
      for (int[] p : pieces) {
        r.segment(CLIENT_TO_SERVER, isn + 1 + p[0], ACK, data, p[0], p[1] - p[0], 0);
        if (rnd.nextInt(4) == 0) {
          r.segment(CLIENT_TO_SERVER, isn + 1 + p[0], ACK, data, p[0], p[1] - p[0], 0);
        }
      }
      assertEquals(
          new String(data, StandardCharsets.ISO_8859_1),
          rec.text(CLIENT_TO_SERVER),
          "round " + round);
      assertEquals(0, r.buffered());
    }
    assertEquals(0, counters.overlapsDifferent);
    assertEquals(0, budget.used());
  }
}
