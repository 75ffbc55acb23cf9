package io.vigil.agent.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.agent.packet.decode.LinkType;
import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.Transport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pipeline's own decisions, on hand-built datagrams. */
class PacketPipelineTest {
  private static final long T0 = 1_700_000_000_000_000_000L;

  /** A raw IPv4/UDP packet from a.b.c.d:sport to w.x.y.z:dport. */
  private static byte[] udp(int[] src, int sport, int[] dst, int dport, String payload) {
    byte[] p = payload.getBytes(StandardCharsets.US_ASCII);
    byte[] b = new byte[28 + p.length];
    b[0] = 0x45;
    b[2] = (byte) (b.length >>> 8);
    b[3] = (byte) b.length;
    b[8] = 64;
    b[9] = 17;
    for (int i = 0; i < 4; i++) {
      b[12 + i] = (byte) src[i];
      b[16 + i] = (byte) dst[i];
    }
    b[20] = (byte) (sport >>> 8);
    b[21] = (byte) sport;
    b[22] = (byte) (dport >>> 8);
    b[23] = (byte) dport;
    int ulen = 8 + p.length;
    b[24] = (byte) (ulen >>> 8);
    b[25] = (byte) ulen;
    System.arraycopy(p, 0, b, 28, p.length);
    return b;
  }

  private static List<HttpEvent> http(byte[]... packets) {
    List<HttpEvent> out = new ArrayList<>();
    PacketPipeline p =
        new PacketPipeline(
            "test",
            FlowOptions.defaults(),
            new DnsAnswerCache(),
            (Event.Builder e) -> {
              if (e.hasHttp()) {
                out.add(e.getHttp());
              }
            });
    long ts = T0;
    for (byte[] b : packets) {
      p.frame(b, 0, b.length, LinkType.RAW, ts += 1_000_000, b.length);
    }
    p.finish();
    return out;
  }

  @Test
  void anSsdpSearchAndItsAnswerNameTheSearcherAsTheClient() {
    int[] searcher = {192, 168, 1, 20};
    int[] group = {239, 255, 255, 250};
    int[] device = {192, 168, 1, 1};
    List<HttpEvent> events =
        http(
            udp(
                searcher,
                50000,
                group,
                1900,
                "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n"
                    + "MX: 1\r\nST: ssdp:all\r\nUSER-AGENT: vigil-test/1.0\r\n\r\n"),
            udp(
                device,
                1900,
                searcher,
                50000,
                "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: upnp:rootdevice\r\n\r\n"));
    assertEquals(2, events.size(), events.toString());
    HttpEvent search = events.get(0);
    assertEquals("M-SEARCH", search.getMethod());
    assertEquals("vigil-test/1.0", search.getUserAgent());
    assertEquals("192.168.1.20", search.getClientIp());
    assertEquals(Transport.TRANSPORT_UDP, search.getTransport());
    HttpEvent answer = events.get(1);
    assertEquals(200, answer.getStatusCode());
    assertEquals("192.168.1.20", answer.getClientIp(), "the answer goes to the searcher");
    assertEquals(50000, answer.getClientPort());
    assertEquals("192.168.1.1", answer.getServerIp(), "sent by the device");
    assertEquals(1900, answer.getServerPort());
  }
}
