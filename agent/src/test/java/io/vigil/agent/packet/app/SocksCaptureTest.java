package io.vigil.agent.packet.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.stream.TcpConnection;
import io.vigil.common.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A real capture of TLS through SOCKS (FoxIO's ja4 test capture socks-https-example.pcap): three
 * connections to a proxy on port 1080, by SOCKS4, SOCKS4a and SOCKS5, each carrying a TLS handshake
 * to www.example.com. The tunnels are found, their targets kept, and the TLS consumer gets the
 * tunnelled streams from their first byte.
 */
class SocksCaptureTest {
  @Test
  void tlsInsideSocks4Socks4aAndSocks5() {
    Path file = TestData.require("pcaps/ja4/socks-https-example.pcap");
    List<AppAnalyzerTest.Tls> consumers = new ArrayList<>();
    List<TcpConnection> connections = new ArrayList<>();
    CaptureStreams.Result r =
        new CaptureStreams()
            .run(
                file,
                (c, via) -> {
                  AppAnalyzerTest.Tls t = new AppAnalyzerTest.Tls(via);
                  consumers.add(t);
                  connections.add(c);
                  return t;
                });
    assertEquals(
        List.of(
            new Tunnel(Tunnel.Kind.SOCKS4, "93.184.216.119", 443, null),
            new Tunnel(Tunnel.Kind.SOCKS4A, "www.example.com", 443, null),
            new Tunnel(Tunnel.Kind.SOCKS5, "93.184.216.119", 443, null)),
        r.tunnels());
    assertEquals(3, consumers.size());
    for (int i = 0; i < 3; i++) {
      AppAnalyzerTest.Tls t = consumers.get(i);
      assertEquals(r.tunnels().get(i), t.via);
      assertEquals(1080, connections.get(i).serverPort());
      byte[] c = t.client.toByteArray();
      byte[] s = t.server.toByteArray();
      // A TLS handshake record with a ClientHello, from the tunnel's first byte, naming the host.
      assertEquals(0x16, c[0]);
      assertEquals(0x01, c[5]);
      assertTrue(new String(c, StandardCharsets.ISO_8859_1).contains("www.example.com"));
      assertEquals(0x16, s[0]);
      assertEquals(0x02, s[5]);
    }
    assertEquals(0, r.app().handshakesFailed());
    assertEquals(3, r.app().detectedInTunnel().get(AppProtocol.TLS));
  }
}
