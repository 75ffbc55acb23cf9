package io.vigil.agent.packet.quic;

import static io.vigil.agent.packet.quic.InitialSealer.concat;
import static io.vigil.agent.packet.quic.InitialSealer.seal;
import static io.vigil.agent.packet.quic.QuicClientHelloAssembler.State.COLLECTING;
import static io.vigil.agent.packet.quic.QuicClientHelloAssembler.State.COMPLETE;
import static io.vigil.agent.packet.quic.QuicClientHelloAssembler.State.GAVE_UP;
import static io.vigil.agent.packet.quic.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * How one connection's ClientHello is put together from Initial packets the test seals itself: the
 * shapes real clients send (split, reordered, overlapping, coalesced, after Retry) and the bounds
 * that stop a hostile one.
 */
class QuicClientHelloAssemblerTest {
  private static final byte[] DCID = hex("0011223344556677");
  private static final byte[] SERVER_CID = hex("a1a2a3a4a5a6a7a8a9aa");

  /** Pads a payload to 1162 bytes, as clients pad Initial datagrams to 1200. */
  private static byte[] padded(byte[]... frames) {
    byte[] p = concat(frames);
    return p.length >= 1162 ? p : concat(p, Frames.padding(1162 - p.length));
  }

  @Test
  void clientHelloSplitOverThreePacketsOutOfOrderWithOverlapsComesOutWhole() {
    byte[] ch = Frames.clientHello(3000);
    // Chrome-like: pieces shuffled across packets, one piece sent twice, two overlapping.
    byte[] p1 = seal(QuicVersion.V1, DCID, 0, padded(Frames.crypto(1100, ch, 1100, 2000)));
    byte[] p2 =
        seal(
            QuicVersion.V1,
            DCID,
            1,
            padded(Frames.crypto(2000, ch, 2000, 3000), Frames.crypto(0, ch, 0, 40)));
    byte[] p3 =
        seal(
            QuicVersion.V1,
            DCID,
            2,
            padded(
                Frames.crypto(30, ch, 30, 600),
                Frames.crypto(500, ch, 500, 1150),
                Frames.crypto(0, ch, 0, 40)));
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    assertEquals(COLLECTING, a.offer(p1, 0, p1.length));
    assertEquals(COLLECTING, a.offer(p2, 0, p2.length));
    assertTrue(a.clientHello().isEmpty());
    assertEquals(COMPLETE, a.offer(p3, 0, p3.length));
    assertArrayEquals(ch, a.clientHello().orElseThrow());
    assertEquals(3, a.stats().decryptedPackets());
    assertEquals(6, a.stats().cryptoFrames());
    assertEquals(Map.of(), a.stats().malformed());

    assertEquals(COMPLETE, a.offer(p1, 0, p1.length), "later datagrams are ignored");
    assertEquals(1, a.stats().ignoredDatagrams());
  }

  @Test
  void coalescedPacketsAreWalkedByLengthAndOthersSkipped() {
    byte[] ch = Frames.clientHello(900);
    byte[] first = seal(QuicVersion.V1, DCID, 0, Frames.crypto(0, ch, 0, 400));
    byte[] zeroRtt = InitialSealer.otherLongPacket(QuicVersion.V1, 1, DCID, 60);
    byte[] second = seal(QuicVersion.V1, DCID, 1, Frames.crypto(400, ch, 400, 900));
    // Some stacks pad the datagram after the last packet instead of inside it.
    byte[] datagram = concat(first, zeroRtt, second, new byte[200]);
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    assertEquals(COMPLETE, a.offer(datagram, 0, datagram.length));
    assertArrayEquals(ch, a.clientHello().orElseThrow());
    assertEquals(2, a.stats().initialPackets());
    assertEquals(1, a.stats().skippedPackets(), "the 0-RTT packet; nothing is read once complete");

    // Padding after the last packet ends the walk without a complaint.
    byte[] part = concat(seal(QuicVersion.V1, DCID, 0, Frames.crypto(0, ch, 0, 400)), new byte[9]);
    QuicClientHelloAssembler b = new QuicClientHelloAssembler();
    assertEquals(COLLECTING, b.offer(part, 0, part.length));
    assertEquals(1, b.stats().skippedPackets());
    assertEquals(Map.of(), b.stats().malformed());
  }

  @Test
  void aDatagramInsideALargerBufferIsReadOnlyWithinItsBounds() {
    byte[] ch = Frames.clientHello(300);
    byte[] packet = seal(QuicVersion.V1, DCID, 0, padded(Frames.crypto(0, ch)));
    byte[] buf = concat(hex("deadbeef"), packet, hex("c0ffee"));
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    assertEquals(COMPLETE, a.offer(buf, 4, packet.length));
    assertArrayEquals(ch, a.clientHello().orElseThrow());
    assertEquals(0, a.stats().skippedPackets());
  }

  /**
   * After the server answers, the client's Initials carry the server's connection ID but keep the
   * keys of its first DCID (RFC 9001 5.2); the assembler keeps using them.
   */
  @Test
  void laterInitialsToTheServersConnectionIdUseTheOriginalKeys() {
    byte[] ch = Frames.clientHello(2000);
    byte[] p1 = seal(QuicVersion.V1, DCID, 0, padded(Frames.crypto(0, ch, 0, 1100)));
    byte[] p2 =
        InitialSealer.seal(
            QuicVersion.V1,
            DCID,
            SERVER_CID,
            hex("0102"),
            new byte[0],
            1,
            1,
            padded(Frames.ack(0, false), Frames.crypto(1100, ch, 1100, 2000)));
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    a.offer(p1, 0, p1.length);
    assertEquals(COMPLETE, a.offer(p2, 0, p2.length));
    assertArrayEquals(ch, a.clientHello().orElseThrow());
    assertEquals(Map.of(), a.stats().malformed());
  }

  /** After a Retry the client derives keys from the Retry's connection ID and sends a token. */
  @Test
  void afterRetryTheNewConnectionIdsKeysOpenTheResentClientHello() {
    byte[] ch = Frames.clientHello(1500);
    byte[] p1 = seal(QuicVersion.V1, DCID, 0, padded(Frames.crypto(0, ch, 0, 1000)));
    byte[] retried =
        InitialSealer.seal(
            QuicVersion.V1,
            SERVER_CID,
            SERVER_CID,
            new byte[0],
            hex("7265747279746f6b656e"),
            1,
            2,
            concat(Frames.crypto(0, ch, 0, 1000), Frames.crypto(1000, ch, 1000, 1500)));
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    a.offer(p1, 0, p1.length);
    assertEquals(COMPLETE, a.offer(retried, 0, retried.length));
    assertArrayEquals(ch, a.clientHello().orElseThrow());
  }

  @Test
  void quicV2AndDraft29Assemble() {
    for (QuicVersion v : List.of(QuicVersion.V2, QuicVersion.DRAFT_29)) {
      byte[] ch = Frames.clientHello(1400);
      byte[] p1 = seal(v, DCID, 0, padded(Frames.crypto(1000, ch, 1000, 1400)));
      byte[] p2 = seal(v, DCID, 1, padded(Frames.crypto(0, ch, 0, 1000)));
      QuicClientHelloAssembler a = new QuicClientHelloAssembler();
      a.offer(p1, 0, p1.length);
      assertEquals(COMPLETE, a.offer(p2, 0, p2.length), v.name());
      assertArrayEquals(ch, a.clientHello().orElseThrow());
      assertEquals(Optional.of(v), a.version());
    }
  }

  @Test
  void everyFrameAnInitialMayCarryIsReadOrSkipped() {
    byte[] ch = Frames.clientHello(500);
    byte[] packet =
        seal(
            QuicVersion.V1,
            DCID,
            0,
            padded(
                Frames.padding(3),
                new byte[] {InitialFrames.PING},
                Frames.ack(0, false),
                Frames.ack(5, true),
                Frames.connectionClose("bye"),
                Frames.crypto(0, ch)));
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    assertEquals(COMPLETE, a.offer(packet, 0, packet.length));
    assertArrayEquals(ch, a.clientHello().orElseThrow());
    assertEquals(Map.of(), a.stats().malformed());
  }

  @Test
  void aFrameNotAllowedInInitialsStopsThePacketButKeepsTheCryptoBeforeIt() {
    byte[] ch = Frames.clientHello(500);
    byte[] stream = hex("0800036869"); // STREAM: not allowed in an Initial
    byte[] p1 =
        seal(
            QuicVersion.V1,
            DCID,
            0,
            padded(Frames.crypto(0, ch, 0, 200), stream, Frames.crypto(200, ch, 200, 500)));
    byte[] p2 = seal(QuicVersion.V1, DCID, 1, padded(Frames.crypto(200, ch, 200, 500)));
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    assertEquals(COLLECTING, a.offer(p1, 0, p1.length));
    assertEquals(Map.of(QuicMalformed.UNEXPECTED_FRAME, 1L), a.stats().malformed());
    assertEquals(COMPLETE, a.offer(p2, 0, p2.length));
    assertArrayEquals(ch, a.clientHello().orElseThrow());
  }

  @Test
  void aFrameRunningPastThePayloadIsBadFrame() {
    byte[] cut = hex("0600417f0102"); // CRYPTO claiming 383 bytes, holding 2
    byte[] ack = hex("0201"); // ACK cut after its first field
    for (byte[] frames : List.of(cut, ack)) {
      byte[] packet = seal(QuicVersion.V1, DCID, 0, concat(Frames.padding(1100), frames));
      QuicClientHelloAssembler a = new QuicClientHelloAssembler();
      assertEquals(COLLECTING, a.offer(packet, 0, packet.length));
      assertEquals(Map.of(QuicMalformed.BAD_FRAME, 1L), a.stats().malformed());
    }
  }

  @Test
  void aPacketUnderOtherKeysIsUndecryptable() {
    byte[] ch = Frames.clientHello(300);
    byte[] packet =
        InitialSealer.seal(
            QuicVersion.V1,
            SERVER_CID,
            DCID,
            new byte[0],
            new byte[0],
            0,
            2,
            padded(Frames.crypto(0, ch)));
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    assertEquals(COLLECTING, a.offer(packet, 0, packet.length));
    assertEquals(Map.of(QuicMalformed.UNDECRYPTABLE, 1L), a.stats().malformed());
    assertTrue(a.version().isEmpty());
  }

  @Test
  void headerProblemsAreCountedByReason() {
    byte[] good = seal(QuicVersion.V1, DCID, 0, padded(Frames.ping()));
    byte[] unknownVersion = good.clone();
    unknownVersion[1] = 0x1a; // 0x1a000001, not a version known here
    byte[] versionNegotiation = hex("c000000000080011223344556677000000000100000001");
    byte[] retry = hex("f00000000108001122334455667700aabbccdd");
    byte[] longCid = hex("c00000000115" + "00".repeat(30));
    byte[] cut = java.util.Arrays.copyOf(good, 600); // Length runs past the datagram
    byte[] tiny = hex("c000000001000040100000000000000000000000000000000000");
    Map<byte[], QuicMalformed> cases =
        Map.of(
            unknownVersion, QuicMalformed.UNKNOWN_VERSION,
            versionNegotiation, QuicMalformed.UNEXPECTED_PACKET,
            retry, QuicMalformed.UNEXPECTED_PACKET,
            longCid, QuicMalformed.BAD_CONNECTION_ID,
            cut, QuicMalformed.TRUNCATED,
            tiny, QuicMalformed.TOO_SHORT);
    for (Map.Entry<byte[], QuicMalformed> c : cases.entrySet()) {
      QuicClientHelloAssembler a = new QuicClientHelloAssembler();
      assertEquals(COLLECTING, a.offer(c.getKey(), 0, c.getKey().length));
      assertEquals(Map.of(c.getValue(), 1L), a.stats().malformed(), c.getValue().name());
    }
  }

  @Test
  void boundsThatDoNotFitTheArrayAreTruncatedNotAnException() {
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    byte[] b = new byte[10];
    a.offer(b, 5, 6);
    a.offer(b, -1, 2);
    a.offer(null, 0, 0);
    a.offer(b, 0, -1);
    assertEquals(Map.of(QuicMalformed.TRUNCATED, 4L), a.stats().malformed());
  }

  @Test
  void firstHandshakeMessageNotAClientHelloGivesUp() {
    byte[] serverHello = Frames.clientHello(100);
    serverHello[0] = 2;
    byte[] packet = seal(QuicVersion.V1, DCID, 0, padded(Frames.crypto(0, serverHello)));
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    assertEquals(GAVE_UP, a.offer(packet, 0, packet.length));
    assertEquals(Optional.of(QuicGiveUp.NOT_CLIENT_HELLO), a.giveUpReason());
  }

  @Test
  void cryptoDataPastTheBoundGivesUp() {
    // A ClientHello whose length says it ends past 64 KiB ...
    byte[] huge = hex("01010000");
    byte[] p1 = seal(QuicVersion.V1, DCID, 0, padded(Frames.crypto(0, huge)));
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    assertEquals(GAVE_UP, a.offer(p1, 0, p1.length));
    assertEquals(Optional.of(QuicGiveUp.CRYPTO_TOO_LARGE), a.giveUpReason());
    // ... or a CRYPTO frame that does.
    byte[] far =
        seal(
            QuicVersion.V1,
            DCID,
            0,
            padded(Frames.crypto(QuicClientHelloAssembler.MAX_CRYPTO_BYTES - 5, new byte[10])));
    QuicClientHelloAssembler b = new QuicClientHelloAssembler();
    assertEquals(GAVE_UP, b.offer(far, 0, far.length));
    assertEquals(Optional.of(QuicGiveUp.CRYPTO_TOO_LARGE), b.giveUpReason());
    // Offsets near 2^62 do not overflow the check.
    byte[] top = seal(QuicVersion.V1, DCID, 0, padded(Frames.crypto((1L << 62) - 2, new byte[1])));
    QuicClientHelloAssembler c = new QuicClientHelloAssembler();
    assertEquals(GAVE_UP, c.offer(top, 0, top.length));
    assertEquals(Optional.of(QuicGiveUp.CRYPTO_TOO_LARGE), c.giveUpReason());
  }

  /** Jumbo datagrams (loopback) can carry a 64 KiB ClientHello in five Initial packets. */
  @Test
  void aClientHelloOfExactlyTheBoundIsKeptAndOneByteMoreIsNot() {
    for (int extra : new int[] {0, 1}) {
      byte[] ch = Frames.clientHello(QuicClientHelloAssembler.MAX_CRYPTO_BYTES + extra);
      QuicClientHelloAssembler a = new QuicClientHelloAssembler();
      int step = 15000;
      long pn = 0;
      for (int off = 0; off < ch.length && a.state() == COLLECTING; off += step) {
        byte[] p =
            seal(
                QuicVersion.V1,
                DCID,
                pn++,
                Frames.crypto(off, ch, off, Math.min(ch.length, off + step)));
        a.offer(p, 0, p.length);
      }
      if (extra == 0) {
        assertArrayEquals(ch, a.clientHello().orElseThrow());
      } else {
        assertEquals(Optional.of(QuicGiveUp.CRYPTO_TOO_LARGE), a.giveUpReason());
      }
    }
  }

  @Test
  void tooManyPiecesGiveUp() {
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i <= QuicClientHelloAssembler.MAX_CRYPTO_PIECES; i++) {
      frames.add(Frames.crypto(2 * i + 2, new byte[] {7}));
    }
    byte[] p = seal(QuicVersion.V1, DCID, 0, padded(frames.toArray(new byte[0][])));
    assertEquals(GAVE_UP, a.offer(p, 0, p.length));
    assertEquals(Optional.of(QuicGiveUp.TOO_FRAGMENTED), a.giveUpReason());
  }

  @Test
  void tooManyDatagramsGiveUpAndLaterOnesAreIgnored() {
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    byte[] shortHeader = hex("4100112233445566770102030405");
    for (int i = 0; i < QuicClientHelloAssembler.MAX_DATAGRAMS; i++) {
      assertEquals(COLLECTING, a.offer(shortHeader, 0, shortHeader.length));
    }
    assertEquals(GAVE_UP, a.offer(shortHeader, 0, shortHeader.length));
    assertEquals(Optional.of(QuicGiveUp.TOO_MANY_DATAGRAMS), a.giveUpReason());
    a.offer(shortHeader, 0, shortHeader.length);
    assertEquals(1, a.stats().ignoredDatagrams());
    assertEquals(QuicClientHelloAssembler.MAX_DATAGRAMS, a.stats().skippedPackets());
  }

  @Test
  void tooManyInitialPacketsGiveUp() {
    List<byte[]> packets = new ArrayList<>();
    for (int i = 0; i <= QuicClientHelloAssembler.MAX_INITIAL_PACKETS; i++) {
      packets.add(seal(QuicVersion.V1, DCID, i, Frames.padding(30)));
    }
    byte[] datagram = concat(packets.toArray(new byte[0][]));
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    assertEquals(GAVE_UP, a.offer(datagram, 0, datagram.length));
    assertEquals(Optional.of(QuicGiveUp.TOO_MANY_PACKETS), a.giveUpReason());
    assertEquals(QuicClientHelloAssembler.MAX_INITIAL_PACKETS, a.stats().decryptedPackets());
  }

  /** Pieces in every order: the result never depends on arrival order. */
  @Test
  void anyArrivalOrderGivesTheSameClientHello() {
    byte[] ch = Frames.clientHello(2500);
    Random rnd = new Random(7);
    for (int round = 0; round < 50; round++) {
      List<byte[]> frames = new ArrayList<>();
      int off = 0;
      while (off < ch.length) {
        int end = Math.min(ch.length, off + 1 + rnd.nextInt(400));
        int start = Math.max(0, off - rnd.nextInt(20)); // some overlap
        frames.add(Frames.crypto(start, ch, start, end));
        off = end;
      }
      Collections.shuffle(frames, rnd);
      QuicClientHelloAssembler a = new QuicClientHelloAssembler();
      int pn = 0;
      for (int i = 0; i < frames.size(); i += 3) {
        byte[][] some = frames.subList(i, Math.min(frames.size(), i + 3)).toArray(new byte[0][]);
        byte[] p = seal(QuicVersion.V1, DCID, pn++, padded(some));
        a.offer(p, 0, p.length);
      }
      assertEquals(COMPLETE, a.state(), "round " + round);
      assertArrayEquals(ch, a.clientHello().orElseThrow());
    }
  }

  @Test
  void looksLikeQuicInitialWantsAFullSizeInitialOfAKnownVersion() {
    byte[] v1 = seal(QuicVersion.V1, DCID, 0, padded(Frames.ping()));
    assertTrue(QuicInitialDecryptor.looksLikeQuicInitial(v1, 0, v1.length));
    assertEquals(false, QuicInitialDecryptor.looksLikeQuicInitial(v1, 0, 1199), "under 1200");
    byte[] small = seal(QuicVersion.V1, DCID, 0, Frames.padding(100));
    assertEquals(false, QuicInitialDecryptor.looksLikeQuicInitial(small, 0, small.length));
    byte[] handshake = InitialSealer.otherLongPacket(QuicVersion.V1, 2, DCID, 1200);
    assertEquals(false, QuicInitialDecryptor.looksLikeQuicInitial(handshake, 0, 1200));
    byte[] v2Type0 = v1.clone();
    v2Type0[1] = 0x6b; // v2's type 0 is Retry, not Initial
    v2Type0[2] = 0x33;
    v2Type0[3] = 0x43;
    v2Type0[4] = (byte) 0xcf;
    assertEquals(false, QuicInitialDecryptor.looksLikeQuicInitial(v2Type0, 0, v2Type0.length));
    byte[] noFixedBit = v1.clone();
    noFixedBit[0] &= (byte) 0xbf;
    assertEquals(false, QuicInitialDecryptor.looksLikeQuicInitial(noFixedBit, 0, v1.length));
    assertEquals(false, QuicInitialDecryptor.looksLikeQuicInitial(new byte[1300], 0, 1300));
    assertEquals(false, QuicInitialDecryptor.looksLikeQuicInitial(v1, 10, v1.length));
    assertEquals(false, QuicInitialDecryptor.looksLikeQuicInitial(null, 0, 1200));
  }

  /**
   * A forged 1200-byte datagram of 32 tiny Initials, each with its own DCID and sealed with its own
   * keys: each used to cost a key derivation and two AES-GCM attempts. Coalesced packets must share
   * the first one's DCID (RFC 9000 12.2); the rest are counted, not opened.
   */
  @Test
  void coalescedInitialsWithOtherDcidsAreNotOpened() {
    List<byte[]> packets = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      byte[] dcid = {9, 9, 9, 9, 9, 9, 9, (byte) i};
      packets.add(seal(QuicVersion.V1, dcid, i, concat(Frames.ping(), Frames.padding(20))));
    }
    byte[] datagram = concat(packets.toArray(new byte[0][]));
    datagram = concat(datagram, new byte[Math.max(0, 1200 - datagram.length)]);
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    assertEquals(COLLECTING, a.offer(datagram, 0, datagram.length));
    assertEquals(1, a.stats().decryptedPackets());
    assertEquals(1, a.stats().initialPackets(), "the others are not read as Initials");
    assertEquals(Map.of(QuicMalformed.DCID_MISMATCH, 31L), a.stats().malformed());
  }

  /** Same DCID but three versions in one datagram: the third set of keys is not derived. */
  @Test
  void atMostTwoKeyDerivationsPerDatagram() {
    byte[] frames = concat(Frames.ping(), Frames.padding(20));
    byte[] datagram =
        concat(
            seal(QuicVersion.V1, DCID, 0, frames),
            seal(QuicVersion.V2, DCID, 1, frames),
            seal(QuicVersion.DRAFT_29, DCID, 2, frames));
    datagram = concat(datagram, new byte[1200 - datagram.length]);
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    a.offer(datagram, 0, datagram.length);
    assertEquals(2, a.stats().decryptedPackets());
    assertEquals(Map.of(QuicMalformed.DCID_MISMATCH, 1L), a.stats().malformed());
    // The bound is per datagram: the next one may derive again.
    byte[] next = seal(QuicVersion.DRAFT_29, DCID, 3, padded(Frames.ping()));
    a.offer(next, 0, next.length);
    assertEquals(3, a.stats().decryptedPackets());
  }
}
