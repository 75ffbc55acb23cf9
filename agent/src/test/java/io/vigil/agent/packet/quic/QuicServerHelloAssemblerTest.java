package io.vigil.agent.packet.quic;

import static io.vigil.agent.packet.quic.InitialSealer.concat;
import static io.vigil.agent.packet.quic.InitialSealer.sealServer;
import static io.vigil.agent.packet.quic.QuicServerHelloAssembler.State.COLLECTING;
import static io.vigil.agent.packet.quic.QuicServerHelloAssembler.State.COMPLETE;
import static io.vigil.agent.packet.quic.QuicServerHelloAssembler.State.GAVE_UP;
import static io.vigil.agent.packet.quic.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.tls.ServerHello;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * How one connection's ServerHello is put together from the server's Initial packets, sealed here
 * with the server keys of the client's connection ID: coalesced with Handshake and 1-RTT packets,
 * split and reordered, after a HelloRetryRequest, and the bounds that stop a hostile server.
 */
class QuicServerHelloAssemblerTest {
  private static final byte[] CLIENT_DCID = hex("0011223344556677");
  private static final byte[] SERVER_CID = hex("a1a2a3a4a5a6a7a8");
  private static final byte[] CLIENT_CID = hex("c1c2c3c4");
  private static final byte[] RANDOM = hex("11".repeat(32));

  private static byte[] server(QuicVersion v, long pn, byte[]... frames) {
    return sealServer(v, CLIENT_DCID, CLIENT_CID, SERVER_CID, pn, 2, concat(frames));
  }

  private static byte[] server(long pn, byte[]... frames) {
    return server(QuicVersion.V1, pn, frames);
  }

  @Test
  void serverHelloCoalescedWithHandshakeAndShortPacketsIsRead() {
    byte[] sh = Frames.serverHello(RANDOM, 0x1302);
    byte[] datagram =
        concat(
            server(0, Frames.ack(0, false), Frames.crypto(0, sh)),
            InitialSealer.otherLongPacket(QuicVersion.V1, 2, CLIENT_CID, 900),
            new byte[] {0x40, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    QuicServerHelloAssembler a = new QuicServerHelloAssembler(CLIENT_DCID);
    assertEquals(COMPLETE, a.offer(datagram, 0, datagram.length));
    assertArrayEquals(sh, a.serverHello().orElseThrow());
    assertEquals(Optional.of(QuicVersion.V1), a.version());
    assertEquals(1, a.stats().decryptedPackets());
    assertEquals(Map.of(), a.stats().malformed());
    assertFalse(a.sawHelloRetryRequest());
  }

  @Test
  void handshakePacketFirstIsSkippedByItsLength() {
    byte[] sh = Frames.serverHello(RANDOM, 0x1301);
    byte[] datagram =
        concat(
            InitialSealer.otherLongPacket(QuicVersion.V1, 2, CLIENT_CID, 300),
            server(0, Frames.crypto(0, sh)));
    QuicServerHelloAssembler a = new QuicServerHelloAssembler(CLIENT_DCID);
    assertEquals(COMPLETE, a.offer(datagram, 0, datagram.length));
    assertEquals(1, a.stats().skippedPackets());
  }

  @Test
  void serverHelloSplitOverTwoDatagramsInReverseOrderComesOutWhole() {
    byte[] sh = Frames.serverHello(RANDOM, 0x1303);
    byte[] d1 = server(0, Frames.crypto(0, sh, 0, 30));
    byte[] d2 = server(1, Frames.ack(0, true), Frames.crypto(30, sh, 30, sh.length));
    QuicServerHelloAssembler a = new QuicServerHelloAssembler(CLIENT_DCID);
    assertEquals(COLLECTING, a.offer(d2, 0, d2.length));
    assertTrue(a.serverHello().isEmpty());
    assertEquals(COMPLETE, a.offer(d1, 0, d1.length));
    assertArrayEquals(sh, a.serverHello().orElseThrow());
    assertEquals(COMPLETE, a.offer(d1, 0, d1.length));
    assertEquals(1, a.stats().ignoredDatagrams());
  }

  @Test
  void helloRetryRequestIsPassedOverForTheServerHelloAfterIt() throws Exception {
    byte[] hrr = Frames.serverHello(Frames.HRR_RANDOM, 0x1301);
    byte[] sh = Frames.serverHello(RANDOM, 0x1301);
    byte[] d1 = server(0, Frames.crypto(0, hrr));
    byte[] d2 = server(1, Frames.crypto(hrr.length, sh));
    QuicServerHelloAssembler a = new QuicServerHelloAssembler(CLIENT_DCID);
    assertEquals(COLLECTING, a.offer(d1, 0, d1.length));
    assertTrue(a.sawHelloRetryRequest());
    assertEquals(COMPLETE, a.offer(d2, 0, d2.length));
    byte[] m = a.serverHello().orElseThrow();
    assertArrayEquals(sh, m);
    assertFalse(ServerHello.parse(Arrays.copyOfRange(m, 4, m.length)).helloRetryRequest());
  }

  @Test
  void aSecondHelloRetryRequestGivesUp() {
    byte[] hrr = Frames.serverHello(Frames.HRR_RANDOM, 0x1301);
    byte[] d = server(0, Frames.crypto(0, hrr), Frames.crypto(hrr.length, hrr));
    QuicServerHelloAssembler a = new QuicServerHelloAssembler(CLIENT_DCID);
    assertEquals(GAVE_UP, a.offer(d, 0, d.length));
    assertEquals(Optional.of(QuicGiveUp.NOT_SERVER_HELLO), a.giveUpReason());
  }

  @Test
  void firstMessageNotAServerHelloGivesUp() {
    byte[] d = server(0, Frames.crypto(0, Frames.clientHello(100)));
    QuicServerHelloAssembler a = new QuicServerHelloAssembler(CLIENT_DCID);
    assertEquals(GAVE_UP, a.offer(d, 0, d.length));
    assertEquals(Optional.of(QuicGiveUp.NOT_SERVER_HELLO), a.giveUpReason());
    assertTrue(a.serverHello().isEmpty());
  }

  @Test
  void aServerAnsweringInQuicV2UsesV2KeysFromTheSameId() {
    byte[] sh = Frames.serverHello(RANDOM, 0x1301);
    byte[] d = server(QuicVersion.V2, 0, Frames.crypto(0, sh));
    QuicServerHelloAssembler a = new QuicServerHelloAssembler(CLIENT_DCID);
    assertEquals(COMPLETE, a.offer(d, 0, d.length));
    assertEquals(Optional.of(QuicVersion.V2), a.version());
  }

  @Test
  void packetsUnderOtherKeysAreUndecryptable() {
    byte[] sh = Frames.serverHello(RANDOM, 0x1301);
    // The client's keys for the same ID, and the server's keys for another ID.
    byte[] clientSide = InitialSealer.seal(QuicVersion.V1, CLIENT_DCID, 0, Frames.crypto(0, sh));
    byte[] otherId =
        sealServer(QuicVersion.V1, SERVER_CID, CLIENT_CID, SERVER_CID, 0, 2, Frames.crypto(0, sh));
    QuicServerHelloAssembler a = new QuicServerHelloAssembler(CLIENT_DCID);
    assertEquals(COLLECTING, a.offer(clientSide, 0, clientSide.length));
    assertEquals(COLLECTING, a.offer(otherId, 0, otherId.length));
    assertEquals(Map.of(QuicMalformed.UNDECRYPTABLE, 2L), a.stats().malformed());
  }

  @Test
  void retryAndVersionNegotiationAreCountedNotRead() {
    byte[] retry =
        concat(
            hex("f000000001"),
            new byte[] {4},
            CLIENT_CID,
            new byte[] {8},
            SERVER_CID,
            new byte[40]);
    byte[] vn =
        concat(hex("8000000000"), new byte[] {4}, CLIENT_CID, new byte[] {0}, hex("00000001"));
    QuicServerHelloAssembler a = new QuicServerHelloAssembler(CLIENT_DCID);
    assertEquals(COLLECTING, a.offer(retry, 0, retry.length));
    assertEquals(COLLECTING, a.offer(vn, 0, vn.length));
    assertEquals(Map.of(QuicMalformed.UNEXPECTED_PACKET, 2L), a.stats().malformed());
  }

  @Test
  void tooManyDatagramsGiveUp() {
    byte[] ping = server(0, Frames.ping(), Frames.padding(20));
    QuicServerHelloAssembler a = new QuicServerHelloAssembler(CLIENT_DCID);
    for (int i = 0; i < QuicServerHelloAssembler.MAX_DATAGRAMS; i++) {
      assertEquals(COLLECTING, a.offer(ping, 0, ping.length));
    }
    assertEquals(GAVE_UP, a.offer(ping, 0, ping.length));
    assertEquals(Optional.of(QuicGiveUp.TOO_MANY_DATAGRAMS), a.giveUpReason());
  }

  @Test
  void aServerHelloClaimingMoreThanTheBoundGivesUp() {
    byte[] header = {2, 0x01, 0x00, 0x00}; // 64 KiB body
    byte[] d = server(0, Frames.crypto(0, header));
    QuicServerHelloAssembler a = new QuicServerHelloAssembler(CLIENT_DCID);
    assertEquals(GAVE_UP, a.offer(d, 0, d.length));
    assertEquals(Optional.of(QuicGiveUp.CRYPTO_TOO_LARGE), a.giveUpReason());
  }

  @Test
  void badBoundsAndRandomBytesNeverThrow() {
    QuicServerHelloAssembler a = new QuicServerHelloAssembler(CLIENT_DCID);
    a.offer(null, 0, 10);
    a.offer(new byte[10], 5, 10);
    a.offer(new byte[10], -1, 2);
    assertEquals(3L, a.stats().malformed().get(QuicMalformed.TRUNCATED));
    Random r = new Random(7);
    byte[] sh = server(0, Frames.crypto(0, Frames.serverHello(RANDOM, 0x1301)));
    for (int i = 0; i < 2000; i++) {
      QuicServerHelloAssembler b = new QuicServerHelloAssembler(CLIENT_DCID);
      byte[] d = sh.clone();
      for (int k = 0; k < 1 + r.nextInt(4); k++) {
        d[r.nextInt(d.length)] = (byte) r.nextInt(256);
      }
      b.offer(d, 0, r.nextInt(d.length + 1));
    }
  }

  @Test
  void aConnectionIdLongerThanAnyInitialCanCarryIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new QuicServerHelloAssembler(new byte[21]));
  }
}
