package io.vigil.agent.sensor.process.procconnector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcEventParserTest {
  private final ProcEventParser parser = new ProcEventParser();

  /** One netlink message carrying a proc_event; {@code union} holds the ints after the header. */
  private static byte[] message(int what, int cpu, long ts, byte[] union) {
    int cnLen = 16 + union.length;
    int nlLen = 16 + 20 + cnLen;
    ByteBuffer b = ByteBuffer.allocate((nlLen + 3) & ~3).order(ByteOrder.nativeOrder());
    b.putInt(nlLen).putShort((short) 3).putShort((short) 0).putInt(0).putInt(0);
    b.putInt(1).putInt(1).putInt(0).putInt(0).putShort((short) cnLen).putShort((short) 0);
    b.putInt(what).putInt(cpu).putLong(ts).put(union);
    return b.array();
  }

  private static byte[] ints(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.nativeOrder());
    for (int v : values) {
      b.putInt(v);
    }
    return b.array();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private ParsedDatagram parse(byte[] d) {
    return parser.parse(d, d.length);
  }

  @Test
  void readsEveryMessageOfAMultiMessageDatagramInOrder() {
    byte[] comm = Arrays.copyOf("bash\0junk".getBytes(StandardCharsets.US_ASCII), 16);
    byte[] d =
        concat(
            message(0x1, 1, 100L, ints(10, 10, 11, 11)),
            message(0x2, 0, 101L, ints(11, 11)),
            message(0x200, 0, 102L, concat(ints(11, 11), comm)),
            message(0x4, 1, 103L, ints(11, 11, 1000, 0)),
            message(0x40, 1, 104L, ints(11, 11, 100, 101)),
            message(0x80000000, 0, 105L, ints(11, 11, 256, 17, 10, 10)));

    ParsedDatagram p = parse(d);

    assertEquals(
        List.of(
            new ProcEvent.Fork(10, 10, 11, 11, 1, 100L),
            new ProcEvent.Exec(11, 11, 0, 101L),
            new ProcEvent.Comm(11, 11, "bash", 0, 102L),
            new ProcEvent.Uid(11, 11, 1000, 0, 1, 103L),
            new ProcEvent.Gid(11, 11, 100, 101, 1, 104L),
            new ProcEvent.Exit(11, 11, 256, 17, 10, 10, 0, 105L)),
        p.events());
    assertEquals(0, p.malformed());
    assertEquals(0, p.ignored());
    assertNull(p.firstError());
  }

  @Test
  void threadCreationIsAForkWhosePidDiffersFromItsTgid() {
    ParsedDatagram p = parse(message(0x1, 0, 1L, ints(10, 10, 12, 10)));

    assertTrue(((ProcEvent.Fork) p.events().get(0)).isThread());
  }

  @Test
  void listenAcknowledgementIsCountedWithItsErrno() {
    ParsedDatagram ok = parse(message(0, 0, 0L, ints(0)));
    ParsedDatagram refused = parse(message(0, 0, 0L, ints(1)));

    assertEquals(1, ok.acks());
    assertEquals(0, ok.ackErrno());
    assertEquals(1, refused.ackErrno());
    assertTrue(ok.events().isEmpty());
  }

  @Test
  void unknownWhatIsIgnoredAndTheNextMessageStillRead() {
    byte[] d =
        concat(
            message(0x80, 0, 1L, ints(5, 5)), // SID: not asked for
            message(0x12345, 0, 2L, ints(1, 2, 3, 4)), // a kind no kernel has sent yet
            message(0x2, 0, 3L, ints(7, 7)));

    ParsedDatagram p = parse(d);

    assertEquals(2, p.ignored());
    assertEquals(List.of(new ProcEvent.Exec(7, 7, 0, 3L)), p.events());
  }

  @Test
  void exitFromAKernelWithoutParentIdsReportsZeroParents() {
    ParsedDatagram p = parse(message(0x80000000, 0, 1L, ints(9, 9, 0, 17)));

    assertEquals(List.of(new ProcEvent.Exit(9, 9, 0, 17, 0, 0, 0, 1L)), p.events());
  }

  @Test
  void truncatedDatagramKeepsTheWholeMessagesAndCountsTheCutOne() {
    byte[] first = message(0x2, 0, 1L, ints(7, 7));
    byte[] second = message(0x2, 0, 2L, ints(8, 8));
    byte[] d = concat(first, second);

    ParsedDatagram p = parser.parse(d, first.length + second.length - 5);

    assertEquals(List.of(new ProcEvent.Exec(7, 7, 0, 1L)), p.events());
    assertEquals(1, p.malformed());
    assertNotNull(p.firstError());
  }

  @Test
  void connectorLengthPastItsMessageIsMalformedNotAnException() {
    byte[] d = message(0x1, 0, 1L, ints(1, 1, 2, 2));
    ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()).putShort(16 + 16, (short) 500);

    ParsedDatagram p = parse(d);

    assertTrue(p.events().isEmpty());
    assertEquals(1, p.malformed());
  }

  @Test
  void eventShorterThanItsKindNeedsIsMalformedAndTheNextMessageStillRead() {
    byte[] d =
        concat(message(0x1, 0, 1L, ints(1, 1)), message(0x2, 0, 2L, ints(3, 3))); // fork: 8 of 16

    ParsedDatagram p = parse(d);

    assertEquals(List.of(new ProcEvent.Exec(3, 3, 0, 2L)), p.events());
    assertEquals(1, p.malformed());
  }

  @Test
  void netlinkLengthBelowHeaderSizeStopsWithoutLooping() {
    byte[] d = message(0x2, 0, 1L, ints(3, 3));
    ByteBuffer.wrap(d).order(ByteOrder.nativeOrder()).putInt(0, 0);

    ParsedDatagram p = parse(d);

    assertTrue(p.events().isEmpty());
    assertEquals(1, p.malformed());
  }

  @Test
  void garbageBytesNeverThrow() {
    java.util.Random r = new java.util.Random(42);
    byte[] d = new byte[256];
    for (int i = 0; i < 2000; i++) {
      r.nextBytes(d);
      ParsedDatagram p = parser.parse(d, r.nextInt(d.length + 1));
      assertTrue(p.events().size() <= d.length / 36);
    }
  }
}
