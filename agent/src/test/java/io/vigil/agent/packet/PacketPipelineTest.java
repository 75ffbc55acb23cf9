package io.vigil.agent.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.decode.LinkType;
import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.agent.sensor.DetailLevel;
import io.vigil.agent.sensor.Reduction;
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

  /** Every event of the packets, with the given reduction. */
  private static List<Event> events(Reduction reduction, byte[]... packets) {
    List<Event> out = new ArrayList<>();
    PacketPipeline p =
        new PacketPipeline(
            "test",
            FlowOptions.defaults(),
            new DnsAnswerCache(),
            (Event.Builder e) -> out.add(e.build()),
            reduction);
    long ts = T0;
    for (byte[] b : packets) {
      p.frame(b, 0, b.length, LinkType.RAW, ts += 1_000_000, b.length);
    }
    p.finish();
    return out;
  }

  /** The HTTP events of the packets, at full detail. */
  private static List<HttpEvent> http(byte[]... packets) {
    return events(Reduction.never(), packets).stream()
        .filter(Event::hasHttp)
        .map(Event::getHttp)
        .toList();
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

  @Test
  void atReducedDetailOnlyFlowsAreKeptAndEverySkippedPacketIsCounted() {
    int[] client = {192, 168, 1, 20};
    int[] resolver = {192, 168, 1, 1};
    int[] group = {239, 255, 255, 250};
    // A DNS query for "a.b", type A, and an SSDP search (HTTP over UDP).
    String query =
        "\u0012\u0034\u0001\u0000\u0000\u0001\u0000\u0000\u0000\u0000\u0000\u0000"
            + "\u0001a\u0001b\u0000\u0000\u0001\u0000\u0001";
    byte[][] packets = {
      udp(client, 40000, resolver, 53, query),
      udp(client, 50000, group, 1900, "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n")
    };
    DetailLevel detail = DetailLevel.full();
    Reduction reduction = detail.reduction("packet_app_parsing", "packet: flows only");

    List<Event> full = events(reduction, packets);
    assertTrue(full.stream().anyMatch(Event::hasDns), full.toString());
    assertTrue(full.stream().anyMatch(Event::hasHttp), full.toString());
    assertEquals(0, reduction.skippedCount());

    detail.reduce(true);
    List<Event> reduced = events(reduction, packets);
    assertEquals(2, reduced.size(), reduced.toString());
    assertTrue(reduced.stream().allMatch(Event::hasFlow), reduced.toString());
    assertEquals(2, reduction.skippedCount());
    assertEquals(List.of("packet: flows only"), detail.activeReductions());
  }
}
