package io.vigil.agent.sensor.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.agent.sensor.network.LocalSockets;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.CaptureCounters;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.SensorState;
import io.vigil.proto.v1.Transport;
import java.io.ByteArrayOutputStream;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The packet sensor on loopback through the real libpcap, traffic only between the test's own
 * sockets: UDP datagrams both ways become one flow with the right 5-tuple and packet counts when
 * the sensor closes (flush), the flow gets the process the connection registry knows for its
 * socket; a DNS query and answer (to a responder of the test on 127.0.0.2:53, when that port is
 * free) become a DNS event with its process, and the answer names the address for the connection
 * sensor.
 */
@Tag("kernel")
class PacketSensorLoopbackTest {
  private static final String NAME = "vigil-test.example";
  private static final byte[] ANSWER = {(byte) 192, 0, 2, 77};

  @BeforeEach
  void needsRoot() {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "capture needs root (CAP_NET_RAW)");
  }

  @Test
  void udpBothWaysBecomesOneFlowWithItsProcessAndDnsNamesTheAnswer() throws Exception {
    InetAddress lo = InetAddress.getByName("127.0.0.1");
    try (DatagramSocket server = new DatagramSocket(0, lo);
        DatagramSocket client = new DatagramSocket(0, lo)) {
      DatagramSocket dnsServer = bindDns();
      int port = server.getLocalPort();
      int cport = client.getLocalPort();
      ProcessRef me = ProcessRef.newBuilder().setPid(4242).setEntityId("test-entity").build();
      LocalSockets sockets = new LocalSockets();
      sockets.remember(
          NetworkConnection.newBuilder()
              .setDirection(NetworkConnection.Direction.DIRECTION_OUTBOUND)
              .setTransport(Transport.TRANSPORT_UDP)
              .setSourceIp("127.0.0.1")
              .setSourcePort(cport)
              .setDestinationIp("127.0.0.1")
              .setDestinationPort(port)
              .setProcess(me)
              .build(),
          WallClock.nowNanos());
      sockets.remember(
          NetworkConnection.newBuilder()
              .setDirection(NetworkConnection.Direction.DIRECTION_OUTBOUND)
              .setTransport(Transport.TRANSPORT_UDP)
              .setSourceIp("127.0.0.1")
              .setSourcePort(cport)
              .setDestinationIp("127.0.0.2")
              .setDestinationPort(53)
              .setProcess(me)
              .build(),
          WallClock.nowNanos());
      DnsAnswerCache answers = new DnsAnswerCache();
      PacketSensorTest.CollectingSink sink = new PacketSensorTest.CollectingSink();
      PacketSensor sensor =
          new PacketSensor(
              new PacketSensor.Options(
                  List.of("lo"),
                  "udp and (port " + port + " or (host 127.0.0.2 and port 53))",
                  65_535,
                  1 << 20,
                  Optional.empty(),
                  FlowOptions.defaults()),
              answers,
              sockets);
      int toServer = 5;
      int toClient = 3;
      int expectedFrames = toServer + toClient;
      try {
        sensor.start(sink);
        SensorState st = sensor.state();
        assertFalse(st.getDegraded(), st.toString());
        assertTrue(st.getSource().contains("on lo"), st.getSource());
        Thread.sleep(200); // the loop starts on its thread
        byte[] body = "vigil-packet-sensor".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < toServer; i++) {
          client.send(new DatagramPacket(body, body.length, lo, port));
        }
        for (int i = 0; i < toClient; i++) {
          server.send(new DatagramPacket(body, body.length, lo, cport));
        }
        if (dnsServer != null) {
          byte[] q = dnsQuery(0x4242);
          client.send(new DatagramPacket(q, q.length, dnsServer.getLocalSocketAddress()));
          byte[] r = dnsResponse(0x4242);
          dnsServer.send(new DatagramPacket(r, r.length, lo, cport));
          expectedFrames += 2;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (decoded(sensor) < expectedFrames && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertEquals(expectedFrames, decoded(sensor), "every datagram reached the pipeline");
      } finally {
        sensor.close();
        if (dnsServer != null) {
          dnsServer.close();
        }
      }

      List<Flow> flows =
          sink.events.stream()
              .filter(Event::hasFlow)
              .peek(e -> assertEquals("packet", e.getSensor()))
              .map(Event::getFlow)
              .filter(f -> f.getDestinationPort() == port)
              .toList();
      assertEquals(1, flows.size(), sink.events.toString());
      Flow f = flows.get(0);
      assertEquals(Transport.TRANSPORT_UDP, f.getTransport());
      assertEquals("127.0.0.1", f.getSourceIp());
      assertEquals(cport, f.getSourcePort());
      assertEquals("127.0.0.1", f.getDestinationIp());
      assertEquals(toServer, f.getPacketsToServer());
      assertEquals(toClient, f.getPacketsToClient());
      assertEquals("shutdown", f.getEndReason());
      assertEquals("lo", f.getInterface());
      assertFalse(f.getCommunityId().isEmpty());
      assertEquals(me, f.getProcess(), "the registry's process for the client socket");

      List<CaptureCounters> counters = sensor.captureCounters();
      assertEquals(1, counters.size());
      assertEquals("lo", counters.get(0).getInterface());
      assertEquals(expectedFrames, counters.get(0).getDecoded());
      assertTrue(counters.get(0).getFlows() >= 1, counters.toString());

      if (dnsServer == null) {
        System.out.println("127.0.0.2:53 is taken: the DNS half of the test was skipped");
        return;
      }
      List<DnsEvent> dns = sink.events.stream().filter(Event::hasDns).map(Event::getDns).toList();
      assertEquals(1, dns.size(), sink.events.toString());
      DnsEvent d = dns.get(0);
      assertEquals(NAME, d.getQueryName());
      assertEquals("NOERROR", d.getResponseCode());
      assertEquals("127.0.0.1", d.getClientIp());
      assertEquals(cport, d.getClientPort());
      assertEquals("127.0.0.2", d.getServerIp());
      assertEquals(me, d.getProcess());
      assertEquals(NAME, answers.hostnameFor("192.0.2.77", WallClock.nowNanos()));
    }
  }

  private static long decoded(PacketSensor s) {
    return s.captureCounters().stream().mapToLong(CaptureCounters::getDecoded).sum();
  }

  /** A UDP socket on 127.0.0.2:53, or null when something else holds it. */
  private static DatagramSocket bindDns() throws Exception {
    try {
      return new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 53));
    } catch (BindException e) {
      return null;
    }
  }

  private static byte[] question() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (String label : NAME.split("\\.")) {
      b.write(label.length());
      b.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
    }
    b.write(0);
    b.writeBytes(new byte[] {0, 1, 0, 1}); // A, IN
    return b.toByteArray();
  }

  private static byte[] dnsQuery(int id) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {(byte) (id >> 8), (byte) id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
    b.writeBytes(question());
    return b.toByteArray();
  }

  private static byte[] dnsResponse(int id) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(
        new byte[] {(byte) (id >> 8), (byte) id, (byte) 0x81, (byte) 0x80, 0, 1, 0, 1, 0, 0, 0, 0});
    b.writeBytes(question());
    // answer: pointer to the question name, A, IN, TTL 300, 4 bytes
    b.writeBytes(new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4});
    b.writeBytes(ANSWER);
    return b.toByteArray();
  }
}
