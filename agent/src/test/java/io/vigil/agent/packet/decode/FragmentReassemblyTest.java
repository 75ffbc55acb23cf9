package io.vigil.agent.packet.decode;

import static io.vigil.agent.packet.decode.Frames.concat;
import static io.vigil.agent.packet.decode.Frames.fragment6;
import static io.vigil.agent.packet.decode.Frames.ipv4;
import static io.vigil.agent.packet.decode.Frames.ipv6;
import static io.vigil.agent.packet.decode.Frames.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** IPv4 and IPv6 fragments through {@link PacketDecoder} and its {@link FragmentReassembler}. */
class FragmentReassemblyTest {
  private static final long SECOND = 1_000_000_000L;

  private PacketDecoder decoder = new PacketDecoder();
  private final DecodedPacket out = new DecodedPacket();

  /** A UDP datagram 1..2..3.. of n payload bytes, as sent (UDP header included). */
  private static byte[] datagram(int n) {
    byte[] p = new byte[n];
    for (int i = 0; i < n; i++) {
      p[i] = (byte) (i * 7 + 3);
    }
    return udp(4000, 53, p);
  }

  /** An IPv4 fragment of the datagram: bytes [from, to), MF when more follow. */
  private static byte[] frag4(byte[] dgram, int id, int from, int to) {
    int field = (from / 8) | (to < dgram.length ? 0x2000 : 0);
    return ipv4(17, id, field, 0, Arrays.copyOfRange(dgram, from, to));
  }

  private static byte[] frag6(byte[] dgram, int id, int from, int to) {
    return ipv6(
        44,
        concat(fragment6(17, from, to < dgram.length, id), Arrays.copyOfRange(dgram, from, to)));
  }

  private boolean feed(byte[] ip, long t) {
    return decoder.decode(ip, 0, ip.length, LinkType.RAW, t, ip.length, out);
  }

  private void assertComplete(byte[] dgram, int headerLength) {
    assertNull(out.malformed);
    assertFalse(out.fragment);
    assertEquals(17, out.protocol);
    assertEquals(4000, out.srcPort);
    assertEquals(53, out.dstPort);
    assertEquals(headerLength + dgram.length, out.ipLength);
    assertEquals(dgram.length - 8, out.payloadLength);
    assertArrayEquals(
        Arrays.copyOfRange(dgram, 8, dgram.length),
        Arrays.copyOfRange(out.payload, out.payloadOffset, out.payloadOffset + out.payloadLength));
  }

  private void assertPending() {
    assertNull(out.malformed);
    assertTrue(out.fragment);
    assertTrue(out.ipVersion != 0);
    assertEquals(0, out.srcPort);
  }

  @Test
  void inOrder() {
    byte[] d = datagram(3000);
    assertTrue(feed(frag4(d, 7, 0, 1480), 0));
    assertPending();
    assertEquals(17, out.protocol);
    assertTrue(feed(frag4(d, 7, 1480, 2960), 1));
    assertPending();
    assertTrue(feed(frag4(d, 7, 2960, d.length), 2));
    assertComplete(d, 20);
    assertEquals(1, decoder.reassembler().stats().completed());
    assertEquals(0, decoder.reassembler().inProgress());
  }

  @Test
  void outOfOrderAndInterleaved() {
    byte[] a = datagram(2000);
    byte[] b = datagram(900);
    feed(frag4(a, 1, 1600, a.length), 0);
    feed(frag4(b, 2, 800, b.length), 0);
    feed(frag4(a, 1, 800, 1600), 0);
    assertEquals(2, decoder.reassembler().inProgress());
    assertTrue(feed(frag4(b, 2, 0, 800), 0));
    assertComplete(b, 20);
    assertTrue(feed(frag4(a, 1, 0, 800), 0));
    assertComplete(a, 20);
  }

  @Test
  void duplicatesAndSameContentOverlapsAreAccepted() {
    byte[] d = datagram(2000);
    feed(frag4(d, 3, 0, 1000), 0);
    feed(frag4(d, 3, 0, 1000), 0);
    feed(frag4(d, 3, 496, 1504), 0); // overlaps both neighbours with identical bytes
    assertPending();
    assertTrue(feed(frag4(d, 3, 1000, d.length), 0));
    assertComplete(d, 20);
    FragmentReassembler.Stats s = decoder.reassembler().stats();
    assertEquals(1, s.duplicates());
    assertEquals(0, s.overlapsRejected());
  }

  @Test
  void overlapWithDifferentContentDropsTheDatagram() {
    byte[] d = datagram(2000);
    feed(frag4(d, 4, 0, 1000), 0);
    byte[] evil = d.clone();
    evil[900] ^= 0x55;
    assertFalse(feed(frag4(evil, 4, 800, 1600), 0));
    assertEquals(Malformed.BAD_FRAGMENT, out.malformed);
    assertEquals(1, decoder.reassembler().stats().overlapsRejected());
    assertEquals(0, decoder.reassembler().inProgress());
    // The rest of the datagram no longer completes anything: the first part was dropped.
    assertTrue(feed(frag4(d, 4, 1000, d.length), 0));
    assertTrue(out.fragment);
  }

  @Test
  void inconsistentFragmentsAreRejected() {
    byte[] d = datagram(2000);
    byte[] odd = ipv4(17, 5, 0x2000, 0, Arrays.copyOfRange(d, 0, 1001)); // not a multiple of 8
    assertFalse(feed(odd, 0));
    assertEquals(Malformed.BAD_FRAGMENT, out.malformed);
    byte[] huge = ipv4(17, 6, 8189, 0, new byte[100]); // offset 65512 + 100 > 65535
    assertFalse(feed(huge, 0));
    assertEquals(Malformed.BAD_FRAGMENT, out.malformed);
    feed(frag4(d, 7, 1000, d.length), 0); // last fragment: the datagram ends at 2008
    assertFalse(feed(frag4(datagram(3000), 7, 1600, 3008), 0));
    assertEquals(Malformed.BAD_FRAGMENT, out.malformed); // a second, different end
    assertEquals(3, decoder.reassembler().stats().badFragments());
  }

  @Test
  void tableFullIsCounted() {
    decoder =
        new PacketDecoder(
            new FragmentReassembler(new FragmentReassembler.Limits(2, 65535, 30 * SECOND)));
    byte[] d = datagram(2000);
    assertTrue(feed(frag4(d, 1, 0, 1000), 0));
    assertTrue(feed(frag4(d, 2, 0, 1000), 0));
    assertFalse(feed(frag4(d, 3, 0, 1000), 0));
    assertEquals(Malformed.FRAGMENT_TABLE_FULL, out.malformed);
    assertTrue(out.fragment);
    assertEquals(1, decoder.reassembler().stats().tableFull());
    // Datagrams already in the table still complete.
    assertTrue(feed(frag4(d, 2, 1000, d.length), 0));
    assertComplete(d, 20);
    assertTrue(feed(frag4(d, 3, 0, 1000), 0)); // room again
    assertNull(out.malformed);
  }

  @Test
  void datagramsTimeOutInPacketTime() {
    byte[] d = datagram(2000);
    feed(frag4(d, 9, 0, 1000), 0);
    feed(frag4(d, 9, 1000, d.length), 31 * SECOND);
    assertTrue(out.fragment); // the first part expired before the second arrived
    FragmentReassembler.Stats s = decoder.reassembler().stats();
    assertEquals(1, s.timedOut());
    assertEquals(0, s.completed());
    feed(frag4(d, 9, 0, 1000), 40 * SECOND); // within 30 s of the second part
    assertComplete(d, 20);
  }

  @Test
  void pieceBound() {
    byte[] d = datagram(8 * 200);
    for (int i = 0; i < FragmentReassembler.MAX_PIECES; i++) {
      assertTrue(feed(frag4(d, 11, i * 16, i * 16 + 8), 0), "piece " + i);
    }
    assertFalse(feed(frag4(d, 11, 1200, 1208), 0));
    assertEquals(Malformed.BAD_FRAGMENT, out.malformed);
  }

  @Test
  void ipv6Fragments() {
    byte[] d = datagram(2500);
    assertTrue(feed(frag6(d, 0x01020304, 1232, d.length), 0));
    assertTrue(out.fragment);
    assertEquals(6, out.ipVersion);
    assertEquals(17, out.protocol);
    assertTrue(feed(frag6(d, 0x01020304, 0, 1232), 0));
    assertComplete(d, 48);
    assertEquals(6, out.ipVersion);
  }

  @Test
  void shuffledFragmentsOfManyDatagramsAllComplete() {
    Random random = new Random(6);
    int datagrams = 50;
    java.util.List<byte[]> frags = new java.util.ArrayList<>();
    java.util.Map<Integer, byte[]> sent = new java.util.HashMap<>();
    for (int id = 0; id < datagrams; id++) {
      byte[] d = datagram(100 + random.nextInt(5000));
      sent.put(id, d);
      for (int from = 0; from < d.length; from += 512) {
        frags.add(frag4(d, id, from, Math.min(d.length, from + 512)));
      }
    }
    java.util.Collections.shuffle(frags, random);
    int completed = 0;
    for (byte[] f : frags) {
      assertTrue(feed(f, 0));
      if (!out.fragment) {
        completed++;
        byte[] d = sent.get(idOf(f));
        assertComplete(d, 20);
      }
    }
    assertEquals(datagrams, completed);
  }

  private static int idOf(byte[] ip) {
    return ((ip[4] & 0xff) << 8) | (ip[5] & 0xff);
  }
}
