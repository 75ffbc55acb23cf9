package io.vigil.agent.packet.app;

import static io.vigil.agent.packet.stream.Direction.CLIENT_TO_SERVER;
import static io.vigil.agent.packet.stream.Direction.SERVER_TO_CLIENT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.http.HttpOptions;
import io.vigil.agent.packet.http.HttpTransaction;
import io.vigil.agent.packet.stream.Direction;
import io.vigil.agent.packet.stream.StreamAnalyzer;
import io.vigil.agent.packet.stream.StreamEnd;
import io.vigil.agent.packet.stream.TcpConnection;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AppAnalyzerTest {
  private static final TcpConnection CONN =
      new TcpConnection(4, 0, "10.0.0.1", 50000, "10.0.0.9", 1080, 1, false);
  private static final byte[] CLIENT_HELLO = ProtocolDetectorTest.CLIENT_HELLO;
  private static final byte[] SERVER_HELLO = {0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0, 0, 0};

  /** A TLS consumer that keeps what it is given. */
  static final class Tls implements TlsConsumer {
    final Tunnel via;
    final ByteArrayOutputStream client = new ByteArrayOutputStream();
    final ByteArrayOutputStream server = new ByteArrayOutputStream();
    boolean ended;
    boolean more = true;

    Tls(Tunnel via) {
      this.via = via;
    }

    @Override
    public void client(byte[] b, int off, int len, long ts) {
      client.write(b, off, len);
    }

    @Override
    public void server(byte[] b, int off, int len, long ts) {
      server.write(b, off, len);
    }

    @Override
    public void gap(boolean fromClient, long bytes, long ts) {}

    @Override
    public void end(long ts) {
      ended = true;
    }

    @Override
    public boolean wantsMore(boolean fromClient) {
      return more;
    }
  }

  private final List<Tls> tls = new ArrayList<>();
  private final List<String> detected = new ArrayList<>();
  private final List<Tunnel> tunnels = new ArrayList<>();
  private final List<HttpTransaction> http = new ArrayList<>();
  private final List<Tunnel> httpVia = new ArrayList<>();
  private final AppListener listener =
      new AppListener() {
        @Override
        public void detected(TcpConnection c, AppProtocol p, Tunnel via, long ts) {
          detected.add(p + (via == null ? "" : " in " + via.kind()));
        }

        @Override
        public void tunnel(TcpConnection c, Tunnel t, long ts) {
          tunnels.add(t);
        }

        @Override
        public void http(TcpConnection c, Tunnel via, HttpTransaction t) {
          http.add(t);
          httpVia.add(via);
        }
      };
  private AppAnalyzerFactory factory = factory(AppOptions.defaults());

  private AppAnalyzerFactory factory(AppOptions o) {
    return new AppAnalyzerFactory(
        listener,
        (c, via) -> {
          Tls t = new Tls(via);
          tls.add(t);
          return t;
        },
        o);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p, 0, p.length);
    }
    return out.toByteArray();
  }

  private static boolean send(StreamAnalyzer a, Direction d, byte[] b) {
    return a.data(d, b, 0, b.length, 1);
  }

  @Test
  void directTlsGoesToTheConsumerFromItsFirstByte() {
    StreamAnalyzer a = factory.create(CONN);
    send(a, CLIENT_TO_SERVER, CLIENT_HELLO);
    send(a, SERVER_TO_CLIENT, SERVER_HELLO);
    a.end(StreamEnd.FIN, 2);
    assertEquals(List.of("TLS"), detected);
    assertArrayEquals(CLIENT_HELLO, tls.get(0).client.toByteArray());
    assertArrayEquals(SERVER_HELLO, tls.get(0).server.toByteArray());
    assertNull(tls.get(0).via);
    assertTrue(tls.get(0).ended);
  }

  @Test
  void socks4ConnectThenTls() {
    byte[] req = {4, 1, 0x01, (byte) 0xbb, 93, (byte) 184, (byte) 216, 34, 'u', 0};
    byte[] rep = {0, 0x5a, 0, 0, 0, 0, 0, 0};
    StreamAnalyzer a = factory.create(CONN);
    send(a, CLIENT_TO_SERVER, req);
    send(a, SERVER_TO_CLIENT, rep);
    send(a, CLIENT_TO_SERVER, CLIENT_HELLO);
    send(a, SERVER_TO_CLIENT, SERVER_HELLO);
    assertEquals(List.of("SOCKS4", "TLS in SOCKS4"), detected);
    assertEquals(new Tunnel(Tunnel.Kind.SOCKS4, "93.184.216.34", 443, null), tunnels.get(0));
    assertEquals(tunnels.get(0), tls.get(0).via);
    assertArrayEquals(CLIENT_HELLO, tls.get(0).client.toByteArray());
    assertArrayEquals(SERVER_HELLO, tls.get(0).server.toByteArray());
  }

  @Test
  void socks4aNamesTheHost() {
    byte[] req = cat(new byte[] {4, 1, 0x01, (byte) 0xbb, 0, 0, 0, 7, 0}, b("example.com\0"));
    StreamAnalyzer a = factory.create(CONN);
    send(a, CLIENT_TO_SERVER, cat(req, CLIENT_HELLO)); // the client does not wait
    send(a, SERVER_TO_CLIENT, new byte[] {0, 0x5a, 1, (byte) 0xbb, 0, 0, 0, 0});
    assertEquals(new Tunnel(Tunnel.Kind.SOCKS4A, "example.com", 443, null), tunnels.get(0));
    assertArrayEquals(CLIENT_HELLO, tls.get(0).client.toByteArray());
  }

  private static final byte[] S5_GREETING = {5, 1, 0};
  private static final byte[] S5_CHOICE = {5, 0};
  private static final byte[] S5_REQUEST =
      cat(new byte[] {5, 1, 0, 3, 11}, b("example.com"), new byte[] {0x01, (byte) 0xbb});
  private static final byte[] S5_REPLY = {5, 0, 0, 1, 10, 0, 0, 9, (byte) 0xc3, 0x50};

  @Test
  void socks5WithADomainTargetThenTls() {
    StreamAnalyzer a = factory.create(CONN);
    send(a, CLIENT_TO_SERVER, S5_GREETING);
    send(a, SERVER_TO_CLIENT, S5_CHOICE);
    send(a, CLIENT_TO_SERVER, S5_REQUEST);
    send(a, SERVER_TO_CLIENT, S5_REPLY);
    send(a, CLIENT_TO_SERVER, CLIENT_HELLO);
    assertEquals(List.of("SOCKS5", "TLS in SOCKS5"), detected);
    assertEquals(new Tunnel(Tunnel.Kind.SOCKS5, "example.com", 443, null), tunnels.get(0));
    assertArrayEquals(CLIENT_HELLO, tls.get(0).client.toByteArray());
  }

  @Test
  void socks5WithPasswordAuthenticationAndAnIpv6Target() {
    byte[] greeting = {5, 2, 0, 2};
    byte[] auth = cat(new byte[] {1, 4}, b("user"), new byte[] {6}, b("secret"));
    byte[] request = new byte[22];
    request[0] = 5;
    request[1] = 1;
    request[3] = 4;
    request[4] = 0x20;
    request[5] = 0x01;
    request[6] = 0x0d;
    request[7] = (byte) 0xb8;
    request[19] = 1;
    request[20] = 0x20;
    request[21] = (byte) 0xfb; // port 8443
    StreamAnalyzer a = factory.create(CONN);
    send(a, CLIENT_TO_SERVER, greeting);
    send(a, SERVER_TO_CLIENT, new byte[] {5, 2});
    send(a, CLIENT_TO_SERVER, auth);
    send(a, SERVER_TO_CLIENT, new byte[] {1, 0});
    send(a, CLIENT_TO_SERVER, request);
    send(a, SERVER_TO_CLIENT, S5_REPLY);
    send(a, CLIENT_TO_SERVER, b("GET / HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n"));
    send(a, SERVER_TO_CLIENT, b("HTTP/1.1 204 No Content\r\n\r\n"));
    assertEquals(new Tunnel(Tunnel.Kind.SOCKS5, "2001:db8::1", 8443, null), tunnels.get(0));
    assertEquals(List.of("SOCKS5", "HTTP in SOCKS5"), detected);
    assertEquals(204, http.get(0).response().status());
    assertEquals(tunnels.get(0), httpVia.get(0));
  }

  @Test
  void aSocks5HandshakeSplitAtEveryByteGivesTheTunnelExactlyItsBytes() {
    byte[] client = cat(S5_GREETING, S5_REQUEST, CLIENT_HELLO);
    byte[] server = cat(S5_CHOICE, S5_REPLY, SERVER_HELLO);
    for (int i = 0; i <= client.length; i++) {
      for (int j : new int[] {0, Math.min(i, server.length), server.length}) {
        tls.clear();
        tunnels.clear();
        StreamAnalyzer a = factory.create(CONN);
        a.data(CLIENT_TO_SERVER, client, 0, i, 1);
        a.data(SERVER_TO_CLIENT, server, 0, j, 1);
        a.data(CLIENT_TO_SERVER, client, i, client.length - i, 1);
        a.data(SERVER_TO_CLIENT, server, j, server.length - j, 1);
        assertEquals(1, tunnels.size(), "split " + i + "/" + j);
        assertArrayEquals(CLIENT_HELLO, tls.get(0).client.toByteArray(), "split " + i + "/" + j);
        assertArrayEquals(SERVER_HELLO, tls.get(0).server.toByteArray(), "split " + i + "/" + j);
      }
    }
    // One byte at a time, in lockstep.
    tls.clear();
    StreamAnalyzer a = factory.create(CONN);
    for (int i = 0; i < Math.max(client.length, server.length); i++) {
      if (i < client.length) {
        a.data(CLIENT_TO_SERVER, client, i, 1, 1);
      }
      if (i < server.length) {
        a.data(SERVER_TO_CLIENT, server, i, 1, 1);
      }
    }
    assertArrayEquals(CLIENT_HELLO, tls.get(0).client.toByteArray());
  }

  @Test
  void httpConnectThenTlsInsideWithTheTargetKept() {
    StreamAnalyzer a = factory.create(CONN);
    send(a, CLIENT_TO_SERVER, b("CONNECT example.com:443 HTTP/1.1\r\nUser-Agent: curl\r\n\r\n"));
    send(a, SERVER_TO_CLIENT, b("HTTP/1.1 200 Connection established\r\n\r\n"));
    send(a, CLIENT_TO_SERVER, CLIENT_HELLO);
    send(a, SERVER_TO_CLIENT, SERVER_HELLO);
    assertEquals(List.of("HTTP", "TLS in HTTP_CONNECT"), detected);
    assertEquals(new Tunnel(Tunnel.Kind.HTTP_CONNECT, "example.com", 443, null), tunnels.get(0));
    assertEquals("CONNECT", http.get(0).request().method());
    assertArrayEquals(CLIENT_HELLO, tls.get(0).client.toByteArray());
    assertArrayEquals(SERVER_HELLO, tls.get(0).server.toByteArray());
  }

  @Test
  void tunnelsNestUpToTheBound() {
    StreamAnalyzer a = factory.create(CONN);
    send(a, CLIENT_TO_SERVER, b("CONNECT socks.example:1080 HTTP/1.1\r\n\r\n"));
    send(a, SERVER_TO_CLIENT, b("HTTP/1.1 200 OK\r\n\r\n"));
    send(a, CLIENT_TO_SERVER, cat(S5_GREETING, S5_REQUEST, CLIENT_HELLO));
    send(a, SERVER_TO_CLIENT, cat(S5_CHOICE, S5_REPLY));
    Tunnel inner = tls.get(0).via;
    assertEquals(Tunnel.Kind.SOCKS5, inner.kind());
    assertEquals(Tunnel.Kind.HTTP_CONNECT, inner.outer().kind());
    assertEquals(2, inner.depth());
    assertEquals(List.of("HTTP", "SOCKS5 in HTTP_CONNECT", "TLS in SOCKS5"), detected);

    detected.clear();
    factory = factory(new AppOptions(8192, 2048, 1, HttpOptions.defaults()));
    a = factory.create(CONN);
    send(a, CLIENT_TO_SERVER, b("CONNECT socks.example:1080 HTTP/1.1\r\n\r\n"));
    send(a, SERVER_TO_CLIENT, b("HTTP/1.1 200 OK\r\n\r\n"));
    send(a, CLIENT_TO_SERVER, cat(S5_GREETING, S5_REQUEST, CLIENT_HELLO));
    assertFalse(send(a, SERVER_TO_CLIENT, cat(S5_CHOICE, S5_REPLY)));
    assertEquals(List.of("HTTP", "SOCKS5 in HTTP_CONNECT", "UNKNOWN in SOCKS5"), detected);
    assertEquals(1, factory.stats().tunnelsTooDeep());
  }

  @Test
  void aRefusedSocksRequestLeavesTheConnectionUnread() {
    StreamAnalyzer a = factory.create(CONN);
    send(a, CLIENT_TO_SERVER, S5_GREETING);
    send(a, SERVER_TO_CLIENT, S5_CHOICE);
    send(a, CLIENT_TO_SERVER, S5_REQUEST);
    assertFalse(send(a, SERVER_TO_CLIENT, new byte[] {5, 5, 0, 1, 0, 0, 0, 0, 0, 0}));
    assertTrue(tunnels.isEmpty());
    assertEquals(1, factory.stats().handshakesFailed());
    assertFalse(send(a, CLIENT_TO_SERVER, CLIENT_HELLO));
    assertTrue(tls.isEmpty());
  }

  @Test
  void unknownProtocolsStopTheStreams() {
    StreamAnalyzer a = factory.create(CONN);
    send(a, SERVER_TO_CLIENT, b("220 mail.example.com ESMTP\r\n")); // the server speaks first
    assertFalse(send(a, CLIENT_TO_SERVER, b("EHLO client\r\n")));
    assertEquals(List.of("UNKNOWN"), detected);
    assertEquals(1, factory.stats().detected().get(AppProtocol.UNKNOWN));
  }

  @Test
  void detectionGivesUpAfterItsByteBound() {
    factory = factory(new AppOptions(64, 2048, 3, HttpOptions.defaults()));
    StreamAnalyzer a = factory.create(CONN);
    byte[] chunk = new byte[10];
    chunk[0] = 0x05; // a SOCKS5 greeting announcing 255 methods, never completed
    chunk[1] = (byte) 0xFF;
    boolean more = true;
    for (int i = 0; i < 20 && more; i++) {
      more = send(a, CLIENT_TO_SERVER, chunk);
      chunk = new byte[10];
    }
    assertFalse(more);
    assertEquals(List.of("UNKNOWN"), detected);
  }

  @Test
  void aLongRequestLineAtTheBoundIsStillHttp() {
    factory = factory(new AppOptions(64, 2048, 3, HttpOptions.defaults()));
    StreamAnalyzer a = factory.create(CONN);
    send(a, CLIENT_TO_SERVER, b("GET /" + "x".repeat(100)));
    send(a, CLIENT_TO_SERVER, b(" HTTP/1.1\r\nHost: h\r\n\r\n"));
    a.end(StreamEnd.FIN, 2);
    assertEquals(List.of("HTTP"), detected);
    assertEquals(101, http.get(0).request().uri().length());
  }

  @Test
  void aRequestLineArrivingByteByByteIsNotRescannedFromItsStart() {
    StreamAnalyzer a = factory.create(CONN);
    DetectStage detect = (DetectStage) ((AppAnalyzer) a).stage();
    byte[] line = b("GET /" + "x".repeat(8000) + " HTTP/1.1\r\nHost: h\r\n\r\n");
    for (int i = 0; i < line.length; i++) {
      a.data(CLIENT_TO_SERVER, line, i, 1, 1);
    }
    a.end(StreamEnd.FIN, 2);
    assertEquals(List.of("HTTP"), detected);
    assertEquals(8001, http.get(0).request().uri().length());
    // Scanning the whole held line on every byte was about 32 million byte checks.
    long bound = (long) DetectStage.RESCAN_ALWAYS * DetectStage.RESCAN_ALWAYS + 4L * line.length;
    assertTrue(detect.clientBytesScanned < bound, detect.clientBytesScanned + " bytes scanned");
  }

  @Test
  void serverBytesPastTheBoundWhileTheClientDecidesAreAGapNotAShift() {
    factory = factory(new AppOptions(64, 2048, 3, HttpOptions.defaults()));
    StreamAnalyzer a = factory.create(CONN);
    send(a, CLIENT_TO_SERVER, b("GET /a HTT")); // undecided
    // The first response runs 100 bytes past the server's detection bound.
    String head = "HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n";
    byte[] first = b(head + "y".repeat(64));
    send(a, SERVER_TO_CLIENT, first);
    send(a, CLIENT_TO_SERVER, b("P/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"));
    send(a, SERVER_TO_CLIENT, b("HTTP/1.1 204 No Content\r\n\r\n"));
    a.end(StreamEnd.FIN, 2);
    assertEquals(List.of("HTTP"), detected);
    assertEquals(2, http.size());
    assertEquals(200, http.get(0).response().status());
    assertEquals(64, http.get(0).response().bodyBytes());
    assertTrue(http.get(0).response().complete());
    assertEquals("/b", http.get(1).request().uri());
    assertEquals(204, http.get(1).response().status());
  }

  @Test
  void detectionBuffersAreChargedToTheFactoryBudgetAndGivenUpWhenItRefuses() {
    factory = factory(AppOptions.defaults().withMaxAnalyzerMemory(40 * 1024));
    List<StreamAnalyzer> open = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      StreamAnalyzer a = factory.create(CONN);
      open.add(a);
      send(a, CLIENT_TO_SERVER, b("GET /" + "x".repeat(4000))); // undecided, held
      assertTrue(factory.memory().used() <= 40 * 1024);
    }
    assertTrue(factory.memory().refusals() > 0);
    assertTrue(detected.contains("UNKNOWN"), "a refused connection is given up");
    for (StreamAnalyzer a : open) {
      a.end(StreamEnd.FIN, 2);
    }
    assertEquals(0, factory.memory().used());
  }

  @Test
  void detectionStartsAgainAfterAGap() {
    StreamAnalyzer a = factory.create(CONN);
    send(a, CLIENT_TO_SERVER, b("GE"));
    a.gap(CLIENT_TO_SERVER, 100, 1);
    send(a, CLIENT_TO_SERVER, b("GET /after-the-gap HTTP/1.1\r\n\r\n"));
    a.end(StreamEnd.FIN, 2);
    assertEquals(List.of("HTTP"), detected);
    assertEquals("/after-the-gap", http.get(0).request().uri());
    assertEquals(1, factory.stats().detectionGaps());
  }

  @Test
  void aResponseAloneIsHttpWhenTheRequestWasMissed() {
    StreamAnalyzer a = factory.create(CONN);
    send(a, SERVER_TO_CLIENT, b("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    assertEquals(List.of("HTTP"), detected);
    assertNull(http.get(0).request());
  }

  @Test
  void tlsWithoutAConsumerIsCountedAndNotRead() {
    factory = new AppAnalyzerFactory(listener, null, AppOptions.defaults());
    StreamAnalyzer a = factory.create(CONN);
    assertFalse(send(a, CLIENT_TO_SERVER, CLIENT_HELLO));
    assertEquals(1, factory.stats().tlsWithoutConsumer());
    assertEquals(1, factory.stats().detected().get(AppProtocol.TLS));
  }

  @Test
  void aConsumerThatHasWhatItNeedsStopsTheStream() {
    StreamAnalyzer a = factory.create(CONN);
    assertTrue(send(a, CLIENT_TO_SERVER, CLIENT_HELLO));
    tls.get(0).more = false;
    assertFalse(send(a, SERVER_TO_CLIENT, SERVER_HELLO));
  }

  @Test
  void garbageThroughEveryStageNeverThrows() {
    Random rnd = new Random(9);
    byte[][] starts = {
      S5_GREETING,
      S5_CHOICE,
      S5_REQUEST,
      S5_REPLY,
      CLIENT_HELLO,
      SERVER_HELLO,
      b("CONNECT a:1 HTTP/1.1\r\n\r\n"),
      b("HTTP/1.1 200 OK\r\n\r\n"),
      b("GET / HTTP/1.1\r\n"),
      {4, 1, 0, 80, 1, 2, 3, 4, 0},
      {0, 0x5a, 0, 0, 0, 0, 0, 0}
    };
    for (int round = 0; round < 3000; round++) {
      factory = factory(new AppOptions(256, 600, 2, new HttpOptions(256, 64, 32, 4, 128)));
      StreamAnalyzer a = factory.create(CONN);
      for (int i = 0; i < 30; i++) {
        Direction d = rnd.nextBoolean() ? CLIENT_TO_SERVER : SERVER_TO_CLIENT;
        byte[] x;
        if (rnd.nextBoolean()) {
          x = starts[rnd.nextInt(starts.length)];
        } else {
          x = new byte[1 + rnd.nextInt(200)];
          rnd.nextBytes(x);
        }
        switch (rnd.nextInt(15)) {
          case 0 -> a.gap(d, 1 + rnd.nextInt(50), i);
          case 1 -> a.closed(d, i);
          default -> a.data(d, x, 0, x.length, i);
        }
      }
      a.end(StreamEnd.SHUTDOWN, 99);
    }
  }
}
