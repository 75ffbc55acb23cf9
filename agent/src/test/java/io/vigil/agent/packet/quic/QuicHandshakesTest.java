package io.vigil.agent.packet.quic;

import static io.vigil.agent.packet.quic.InitialSealer.concat;
import static io.vigil.agent.packet.quic.Vectors.RFC_DCID;
import static io.vigil.agent.packet.quic.Vectors.hex;
import static io.vigil.agent.packet.quic.Vectors.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.proto.v1.TlsEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sessions end to end: the RFC examples' client and server Initials as UDP packets between two
 * addresses, and when the one event per handshake comes out (both hellos known, expiry, the end),
 * always at the ClientHello's time.
 */
class QuicHandshakesTest {
  private static final byte[] CLIENT = {10, 0, 0, 1};
  private static final byte[] SERVER = {10, 0, 0, 2};
  private static final int CLIENT_PORT = 50000;
  private static final int SERVER_PORT = 443;
  private static final long T0 = 1_000_000_000_000L;

  /** JA3S of RFC 9001 A.3's ServerHello: version 771, suite 4865, extensions 51-43. */
  private static final String RFC_JA3S_TEXT = "771,4865,51-43";

  private record Reported(TlsEvent event, long timestampNs) {}

  private final List<Reported> reported = new ArrayList<>();
  private final QuicHandshakes.Sink sink = (e, ts) -> reported.add(new Reported(e.build(), ts));

  private static DecodedPacket udp(boolean fromClient, byte[] payload, long ts) {
    DecodedPacket p = new DecodedPacket();
    p.reset();
    p.timestampNs = ts;
    p.ipVersion = 4;
    p.protocol = 17;
    System.arraycopy(fromClient ? CLIENT : SERVER, 0, p.src, 0, 4);
    System.arraycopy(fromClient ? SERVER : CLIENT, 0, p.dst, 0, 4);
    p.srcPort = fromClient ? CLIENT_PORT : SERVER_PORT;
    p.dstPort = fromClient ? SERVER_PORT : CLIENT_PORT;
    p.payload = payload;
    p.payloadOffset = 0;
    p.payloadLength = payload.length;
    return p;
  }

  private static byte[] clientInitial() {
    return resource("rfc9001-a2-client-initial.hex");
  }

  private static byte[] serverInitial() {
    return resource("rfc9001-a3-server-initial.hex");
  }

  @Test
  void bothHellosMakeOneEventAtTheClientHellosTime() {
    QuicHandshakes q = new QuicHandshakes();
    q.packet(udp(true, clientInitial(), T0), sink);
    assertTrue(reported.isEmpty(), "waits for the ServerHello");
    q.packet(udp(false, serverInitial(), T0 + 5_000_000), sink);
    assertEquals(1, reported.size());
    TlsEvent e = reported.get(0).event();
    assertEquals(T0, reported.get(0).timestampNs());
    assertEquals("quic v1", e.getProtocol());
    assertEquals("example.com", e.getServerName());
    assertEquals("10.0.0.1", e.getClientIp());
    assertEquals(CLIENT_PORT, e.getClientPort());
    assertEquals("10.0.0.2", e.getServerIp());
    assertEquals(SERVER_PORT, e.getServerPort());
    assertEquals(RFC_JA3S_TEXT, e.getJa3SFull());
    assertEquals(32, e.getJa3S().length());
    assertEquals(0x1301, e.getCipherSuite());
    assertEquals("TLS 1.3", e.getVersion());

    q.packet(udp(false, serverInitial(), T0 + 6_000_000), sink);
    q.packet(udp(true, clientInitial(), T0 + 7_000_000), sink);
    q.advance(T0 + QuicHandshakes.IDLE_NS + 7_000_000, sink);
    q.finish(sink);
    assertEquals(1, reported.size(), "one event per handshake");
    assertEquals(new QuicHandshakes.Stats(1, 1, 0, 0, 0, 0, 0, 0), q.stats());
  }

  @Test
  void withoutAServerHelloTheSessionIsReportedWhenItExpires() {
    QuicHandshakes q = new QuicHandshakes();
    q.packet(udp(true, clientInitial(), T0), sink);
    q.advance(T0 + QuicHandshakes.IDLE_NS - 1, sink);
    assertTrue(reported.isEmpty());
    q.advance(T0 + QuicHandshakes.IDLE_NS, sink);
    assertEquals(1, reported.size());
    assertEquals(T0, reported.get(0).timestampNs());
    assertEquals("", reported.get(0).event().getJa3S());
    assertEquals("example.com", reported.get(0).event().getServerName());
    assertEquals(1, q.stats().withoutServerHello());
  }

  @Test
  void finishReportsEverySessionStillHoldingAClientHello() {
    QuicHandshakes q = new QuicHandshakes();
    q.packet(udp(true, clientInitial(), T0), sink);
    q.finish(sink);
    assertEquals(1, reported.size());
    assertEquals(T0, reported.get(0).timestampNs());
    q.finish(sink);
    assertEquals(1, reported.size(), "sessions are dropped at the end");
  }

  @Test
  void aServerHelloBeforeTheClientHelloIsCompleteIsKeptForIt() {
    byte[] frame = resource("rfc9001-a2-crypto-frame.hex");
    byte[] ch = Arrays.copyOfRange(frame, 4, frame.length);
    byte[] first = pad(Frames.crypto(0, ch, 0, 100));
    byte[] second = pad(Frames.crypto(100, ch, 100, ch.length));
    QuicHandshakes q = new QuicHandshakes();
    q.packet(udp(true, InitialSealer.seal(QuicVersion.V1, RFC_DCID, 0, first), T0), sink);
    q.packet(udp(false, serverInitial(), T0 + 1), sink);
    assertTrue(reported.isEmpty());
    q.packet(udp(true, InitialSealer.seal(QuicVersion.V1, RFC_DCID, 1, second), T0 + 2), sink);
    assertEquals(1, reported.size());
    assertEquals(T0 + 2, reported.get(0).timestampNs(), "the time the ClientHello was complete");
    assertEquals(RFC_JA3S_TEXT, reported.get(0).event().getJa3SFull());
  }

  @Test
  void aServerSideThatGivesUpReportsTheClientHelloAtOnce() {
    byte[] notHello =
        InitialSealer.sealServer(
            QuicVersion.V1,
            RFC_DCID,
            new byte[0],
            hex("0102"),
            0,
            2,
            Frames.crypto(0, Frames.clientHello(60)));
    QuicHandshakes q = new QuicHandshakes();
    q.packet(udp(true, clientInitial(), T0), sink);
    q.packet(udp(false, notHello, T0 + 1), sink);
    assertEquals(1, reported.size());
    assertEquals("", reported.get(0).event().getJa3S());
    assertEquals(1, q.stats().withoutServerHello());
  }

  @Test
  void serverDatagramsOfNoKnownSessionStartNothing() {
    QuicHandshakes q = new QuicHandshakes();
    q.packet(udp(false, serverInitial(), T0), sink);
    // A 1200-byte server datagram looks like a client Initial but opens a session only once.
    byte[] padded = concat(serverInitial(), new byte[1200 - 135]);
    q.packet(udp(true, clientInitial(), T0 + 1), sink);
    q.packet(udp(false, padded, T0 + 2), sink);
    assertEquals(1, reported.size());
    assertEquals(RFC_JA3S_TEXT, reported.get(0).event().getJa3SFull());
    assertEquals(1, q.stats().sessions());
  }

  @Test
  void aServerDatagramBeforeAnyClientInitialOpenedIsIgnored() {
    QuicHandshakes q = new QuicHandshakes();
    byte[] bad = clientInitial().clone();
    bad[600] ^= 1; // the client's Initial fails authentication: no keys known yet
    q.packet(udp(true, bad, T0), sink);
    q.packet(udp(false, serverInitial(), T0 + 1), sink);
    q.finish(sink);
    assertTrue(reported.isEmpty());
    assertEquals(0, q.stats().sessions(), "a first datagram that does not decrypt keeps nothing");
    assertEquals(1, q.stats().rejected());
  }

  /**
   * Servers pad their Initials to 1200 bytes too: one seen before its client's must not open a
   * session with the sides swapped (which would take the client's Initial as the server's and never
   * decrypt it). It opens nothing; once the client's Initial opened the session, the same server
   * datagram goes to the session's server side.
   */
  @Test
  void aPaddedServerInitialSeenFirstOpensNoSwappedSession() {
    byte[] padded = concat(serverInitial(), new byte[1200 - 135]);
    assertTrue(QuicInitialDecryptor.looksLikeQuicInitial(padded, 0, padded.length));
    QuicHandshakes q = new QuicHandshakes();
    q.packet(udp(false, padded, T0), sink);
    assertEquals(0, q.stats().sessions());
    assertEquals(1, q.stats().rejected());
    q.packet(udp(true, clientInitial(), T0 + 1), sink);
    q.packet(udp(false, padded, T0 + 2), sink);
    assertEquals(1, reported.size());
    assertEquals("example.com", reported.get(0).event().getServerName());
    assertEquals("10.0.0.1", reported.get(0).event().getClientIp());
    assertEquals(RFC_JA3S_TEXT, reported.get(0).event().getJa3SFull());
    assertEquals(new QuicHandshakes.Stats(1, 1, 0, 0, 0, 0, 0, 1), q.stats());
  }

  /**
   * Forged Initials (their keys are public) from many spoofed ports, each with one CRYPTO byte at a
   * large offset: each used to hold a 64 KiB buffer. Past the window nothing is allocated; within
   * it the sessions' total stays inside the budget, the least recently used dropped.
   */
  @Test
  void forgedCryptoFarAheadCostsLittleAndTheTotalKeepsToTheBudget() {
    int n = QuicHandshakes.DEFAULT_MAX_SESSIONS;
    QuicHandshakes q = new QuicHandshakes();
    for (int i = 0; i < n; i++) {
      q.packet(forged(i, 65535), sink);
    }
    assertEquals(n, q.stats().sessions());
    assertTrue(
        q.bufferedBytes() <= n * 64L, "past the window nothing is kept: " + q.bufferedBytes());

    long budget = 1 << 20;
    QuicHandshakes b = new QuicHandshakes(n, budget);
    for (int i = 0; i < n; i++) {
      b.packet(forged(i, CryptoReassembly.DEFAULT_WINDOW), sink);
    }
    assertTrue(b.bufferedBytes() <= budget, "within the budget: " + b.bufferedBytes());
    assertTrue(b.bufferedBytes() > budget / 2, "the budget is used: " + b.bufferedBytes());
    assertTrue(b.stats().evicted() > 0);
    b.finish(sink);
    assertEquals(0, b.bufferedBytes());
    assertTrue(reported.isEmpty());
  }

  /**
   * A client Initial from port {@code 1024 + i}, its own DCID, one CRYPTO byte at {@code offset}.
   */
  private static DecodedPacket forged(int i, long offset) {
    byte[] dcid = {8, 7, 6, 5, (byte) (i >>> 8), (byte) i, 1, 2};
    byte[] initial =
        InitialSealer.seal(QuicVersion.V1, dcid, 0, pad(Frames.crypto(offset, new byte[] {1})));
    DecodedPacket p = udp(true, initial, T0 + i);
    p.srcPort = 1024 + i;
    return p;
  }

  private static byte[] pad(byte[] frames) {
    return concat(frames, new byte[1162 - frames.length]);
  }
}
