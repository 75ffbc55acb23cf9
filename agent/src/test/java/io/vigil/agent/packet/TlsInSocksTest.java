package io.vigil.agent.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vigil.common.testing.TestData;
import io.vigil.proto.v1.TlsEvent;
import io.vigil.proto.v1.Transport;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A real capture of TLS through SOCKS (FoxIO's ja4 test capture socks-https-example.pcap): three
 * connections to a proxy on port 1080, by SOCKS4, SOCKS4a and SOCKS5, each carrying a TLS 1.0
 * handshake to www.example.com. Through the whole pipeline each gives one TLS event on the
 * connection to the proxy, naming the tunnel and its target as the client asked for it (an address
 * for SOCKS4 and this SOCKS5 client, the name for SOCKS4a), with both hellos and the certificate
 * read from the tunnel's first byte. JA3, JA3S and SNI are what tshark 4.0 gives for the same
 * hellos.
 */
class TlsInSocksTest {
  private static final String JA3 = "06a92bf69b367389d2feb0d70501ddfe";
  private static final String JA3S = "280ca4511bfaa384b2e931c058e8816e";

  @Test
  void tlsInsideSocks4Socks4aAndSocks5() {
    PipelineRun.Events events =
        PipelineRun.of(TestData.require("pcaps/ja4/socks-https-example.pcap"));
    assertNull(events.readError());
    assertEquals(
        List.of(
            "53554 socks4 93.184.216.119:443",
            "53555 socks4a www.example.com:443",
            "53556 socks5 93.184.216.119:443"),
        events.tls().stream().map(e -> e.getClientPort() + " " + e.getTunnel()).toList());
    for (TlsEvent e : events.tls()) {
      String where = e.getTunnel();
      assertEquals(Transport.TRANSPORT_TCP, e.getTransport(), where);
      assertEquals("10.180.156.249", e.getServerIp(), where);
      assertEquals(1080, e.getServerPort(), where);
      assertEquals("www.example.com", e.getServerName(), where);
      assertEquals(JA3, e.getJa3(), where);
      assertEquals(JA3S, e.getJa3S(), where);
      assertEquals("TLS 1.0", e.getVersion(), where);
      assertEquals(
          "CN=gp1.wac.edgecastcdn.net,O=EdgeCast Networks\\, Inc.,L=Santa Monica,ST=California,C=US",
          e.getCertificateSubject(),
          where);
    }
  }
}
