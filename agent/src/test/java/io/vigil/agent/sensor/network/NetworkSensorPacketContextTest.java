package io.vigil.agent.sensor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.dns.DnsParser;
import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditEventAssembler;
import io.vigil.agent.sensor.process.audit.AuditRecordParser;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection sensor's one hook for the packet sensor: each connection it emits is remembered in
 * {@link LocalSockets}, and an outbound one is named from the shared DNS answer cache.
 */
class NetworkSensorPacketContextTest {
  private static final String HEAD = "msg=audit(1700000000.123:456): ";
  private static final long TIME_NS = 1_700_000_000_123_000_000L;
  // 127.0.0.1:8080
  private static final String SADDR_V4 = "02001F907F0000010000000000000000";

  @TempDir Path procRoot; // an empty /proc: the process comes from the directory

  @Test
  void anOutboundConnectGetsItsHostnameAndTeachesTheSocketRegistry() {
    ProcessRef curl = ProcessRef.newBuilder().setPid(200).setEntityId("curl-200").build();
    Map<Integer, ProcessRef> directory = Map.of(200, curl);
    NetworkSensor sensor =
        new NetworkSensor(
            new NetworkSensor.Options(Duration.ofHours(24), 1024),
            pid -> Optional.ofNullable(directory.get(pid)),
            new MetricsRegistry(),
            procRoot);
    DnsAnswerCache answers = new DnsAnswerCache();
    byte[] r = response("app.example.test", new byte[] {127, 0, 0, 1});
    answers.learn(DnsParser.parse(r, 0, r.length), WallClock.nowNanos());
    LocalSockets sockets = new LocalSockets();
    sockets.localAddresses(Set.of("127.0.0.2"));
    sensor.shareWithPacketSensor(sockets, answers);
    List<Event> events = new CopyOnWriteArrayList<>();
    try {
      sensor.start(
          new EventSink() {
            @Override
            public boolean offer(Event.Builder event) {
              events.add(event.build());
              return true;
            }

            @Override
            public boolean offerOrRefuse(Event.Builder event) {
              return offer(event);
            }
          });
      sensor.onAuditEvent(
          event(
              "type=SYSCALL "
                  + HEAD
                  + "arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=7ffd2c1e5a40 a2=10 a3=0"
                  + " items=0 ppid=100 pid=200 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000"
                  + " fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm=\"curl\""
                  + " exe=\"/usr/bin/curl\" subj=unconfined key=\"vigil\"",
              "type=SOCKADDR " + HEAD + "saddr=" + SADDR_V4));
    } finally {
      sensor.close();
    }
    List<NetworkConnection> audit =
        events.stream()
            .filter(Event::hasConnection)
            .map(Event::getConnection)
            .filter(c -> c.getSource().equals("audit"))
            .toList();
    assertEquals(1, audit.size(), events.toString());
    NetworkConnection c = audit.get(0);
    assertEquals(NetworkConnection.Direction.DIRECTION_OUTBOUND, c.getDirection());
    assertEquals("app.example.test", c.getDestinationHostname());
    // the kernel had not picked the local port yet: known by destination, on the local side
    assertEquals(
        curl,
        sockets.processOf(c.getTransport(), "127.0.0.2", 41000, "127.0.0.1", 8080, TIME_NS + 1));
    // audit could not tell the transport (no /proc here): a TCP or UDP flow there still matches
    assertEquals(Transport.TRANSPORT_UNSPECIFIED, c.getTransport());
    assertEquals(
        curl,
        sockets.processOf(Transport.TRANSPORT_TCP, "127.0.0.2", 41000, "127.0.0.1", 8080, TIME_NS));
  }

  private static AuditEvent event(String... lines) {
    List<AuditEvent> done = new ArrayList<>();
    AuditEventAssembler assembler = new AuditEventAssembler(16, 1_000_000_000L, 0, done::add);
    for (String line : lines) {
      assembler.accept(AuditRecordParser.parseLogLine(line), 0);
    }
    assembler.accept(AuditRecordParser.parseLogLine("type=EOE " + HEAD), 0);
    assertEquals(1, done.size());
    return done.get(0);
  }

  /** A response naming {@code address} for {@code name} (one question, one A answer). */
  private static byte[] response(String name, byte[] address) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {0x12, 0x34, (byte) 0x81, (byte) 0x80, 0, 1, 0, 1, 0, 0, 0, 0});
    for (String label : name.split("\\.")) {
      b.write(label.length());
      b.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
    }
    b.writeBytes(new byte[] {0, 0, 1, 0, 1});
    b.writeBytes(new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4});
    b.writeBytes(address);
    return b.toByteArray();
  }
}
