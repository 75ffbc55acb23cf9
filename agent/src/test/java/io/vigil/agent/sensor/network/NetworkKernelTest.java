package io.vigil.agent.sensor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.platform.linux.SockDiagSocket;
import io.vigil.agent.sensor.EventSink;
import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditEventAssembler;
import io.vigil.agent.sensor.process.audit.AuditRecordParser;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.NetworkConnection.Direction;
import io.vigil.proto.v1.Transport;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real sockets on loopback in this JVM, seen through a real sock_diag socket and this process's
 * {@code /proc/self/fd}. Changes no kernel-global state.
 */
class NetworkKernelTest {
  private static final int PID = (int) ProcessHandle.current().pid();
  private static final Path PROC = Path.of("/proc");

  private final List<AutoCloseable> open = new ArrayList<>();
  private final List<Event> events = new ArrayList<>();
  private final EventSink sink =
      new EventSink() {
        @Override
        public boolean offer(Event.Builder event) {
          synchronized (events) {
            events.add(event.build());
          }
          return true;
        }

        @Override
        public boolean offerOrRefuse(Event.Builder event) {
          return offer(event);
        }
      };

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T keep(T c) {
    open.add(c);
    return c;
  }

  /** A listener on {@code address}, one client connected to it and the accepted server end. */
  private record Pair(ServerSocket server, Socket client, Socket accepted) {}

  private Pair connect(String address) throws IOException {
    InetAddress a = InetAddress.getByName(address);
    ServerSocket server = keep(new ServerSocket(0, 50, a));
    Socket client = keep(new Socket(a, server.getLocalPort()));
    Socket accepted = keep(server.accept());
    return new Pair(server, client, accepted);
  }

  private static List<SocketEntry> snapshot() throws IOException {
    try (SockDiagSocket s = SockDiagSocket.open()) {
      SocketSnapshot snap = SocketSnapshot.take(s, new InetDiagParser(), 1 << 20);
      assertTrue(snap.complete(), snap.problem());
      return snap.sockets();
    }
  }

  private static SocketEntry only(List<SocketEntry> all, Predicate<SocketEntry> p) {
    List<SocketEntry> found = all.stream().filter(p).toList();
    assertEquals(1, found.size(), () -> "matching sockets: " + found);
    return found.get(0);
  }

  @Test
  void aSnapshotShowsListenerAndBothEndsOwnedByThisJvmForIpv4AndIpv6() throws IOException {
    Pair v4 = connect("127.0.0.1");
    Pair v6 = connect("::1");
    List<SocketEntry> all = snapshot();
    SocketOwners.Scan owners = new SocketOwners(PROC, 65536, 65536, 1 << 20).scan();

    for (Pair p : List.of(v4, v6)) {
      String ip = p == v4 ? "127.0.0.1" : "::1";
      int port = p.server().getLocalPort();
      int clientPort = p.client().getLocalPort();
      SocketEntry listen =
          only(all, e -> e.listening() && e.localPort() == port && e.localIp().equals(ip));
      SocketEntry client =
          only(all, e -> e.connection() && e.localPort() == clientPort && e.remotePort() == port);
      SocketEntry server =
          only(all, e -> e.connection() && e.localPort() == port && e.remotePort() == clientPort);
      for (SocketEntry e : List.of(listen, client, server)) {
        assertEquals(Transport.TRANSPORT_TCP, e.transport());
        assertEquals(Integer.valueOf(PID), owners.owners().get(e.inode()), e::toString);
      }
      assertEquals(ip, client.remoteIp());
      assertEquals(SocketEntry.TCP_ESTABLISHED, client.state());
    }
  }

  @Test
  void aBoundDatagramSocketIsAListeningUdpSocket() throws IOException {
    DatagramSocket udp = keep(new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)));

    SocketEntry e =
        only(
            snapshot(),
            s -> s.transport() == Transport.TRANSPORT_UDP && s.localPort() == udp.getLocalPort());

    assertTrue(e.listening());
    assertEquals("127.0.0.1", e.localIp());
  }

  @Test
  void theSensorReportsListenOutboundAndInboundExactlyOnceAcrossTwoSnapshots() throws Exception {
    Pair p = connect("127.0.0.1");
    DatagramSocket udp = keep(new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)));
    NetworkSensor sensor = startedSensor();

    sensor.snapshotNow();

    int port = p.server().getLocalPort();
    int clientPort = p.client().getLocalPort();
    NetworkConnection listen =
        single(
            c -> c.getDirection() == Direction.DIRECTION_LISTEN && c.getDestinationPort() == port);
    NetworkConnection out =
        single(
            c ->
                c.getDirection() == Direction.DIRECTION_OUTBOUND
                    && c.getSourcePort() == clientPort
                    && c.getDestinationPort() == port);
    NetworkConnection in =
        single(
            c ->
                c.getDirection() == Direction.DIRECTION_INBOUND
                    && c.getSourcePort() == clientPort
                    && c.getDestinationPort() == port);
    NetworkConnection udpListen =
        single(
            c ->
                c.getDirection() == Direction.DIRECTION_LISTEN
                    && c.getTransport() == Transport.TRANSPORT_UDP
                    && c.getDestinationPort() == udp.getLocalPort());
    for (NetworkConnection c : List.of(listen, out, in, udpListen)) {
      assertEquals("sock_diag", c.getSource());
      assertEquals(PID, c.getProcess().getPid());
      assertTrue(c.getProcess().getImage().endsWith("java"), c.getProcess().getImage());
      assertTrue(!c.getProcess().getEntityId().isEmpty());
    }
    assertEquals("127.0.0.1", out.getDestinationIp());
    assertEquals("127.0.0.1", in.getSourceIp());
    assertEquals("network", sensor.state().getName());
  }

  @Test
  void anAuditedConnectIsReportedByAuditAndNotAgainByTheNextSnapshot() throws Exception {
    ServerSocket server = keep(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
    NetworkSensor sensor = startedSensor();
    Socket client = keep(new Socket("127.0.0.1", server.getLocalPort()));
    keep(server.accept());
    int clientPort = client.getLocalPort();
    long inode = only(snapshot(), e -> e.connection() && e.localPort() == clientPort).inode();

    sensor.onAuditEvent(connectEvent(fdOf(inode), server.getLocalPort()));
    sensor.snapshotNow();

    NetworkConnection audited =
        single(
            c ->
                c.getDirection() == Direction.DIRECTION_OUTBOUND
                    && c.getDestinationPort() == server.getLocalPort());
    assertEquals("audit", audited.getSource());
    assertEquals(Transport.TRANSPORT_TCP, audited.getTransport()); // from the live descriptor
    single(
        c ->
            c.getDirection() == Direction.DIRECTION_INBOUND
                && c.getSourcePort() == clientPort
                && c.getSource().equals("sock_diag"));
  }

  private NetworkSensor startedSensor() throws InterruptedException {
    NetworkSensor sensor =
        keep(
            new NetworkSensor(
                new NetworkSensor.Options(Duration.ofHours(1), 65536),
                pid -> Optional.empty(),
                new MetricsRegistry()));
    sensor.start(sink);
    while (sensor.snapshots() < 1) {
      Thread.sleep(10); // the first snapshot runs on the sensor's thread
    }
    return sensor;
  }

  private NetworkConnection single(Predicate<NetworkConnection> p) {
    List<NetworkConnection> found;
    synchronized (events) {
      found =
          events.stream()
              .peek(e -> assertEquals("network", e.getSensor()))
              .map(Event::getConnection)
              .filter(p)
              .toList();
    }
    assertEquals(1, found.size(), () -> "matching events: " + found);
    return found.get(0);
  }

  private static long fdOf(long inode) throws IOException {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        try {
          if (Files.readSymbolicLink(fd).toString().equals("socket:[" + inode + "]")) {
            return Long.parseLong(fd.getFileName().toString());
          }
        } catch (IOException e) {
          // a descriptor closed while listing
        }
      }
    }
    throw new AssertionError("no descriptor for socket inode " + inode);
  }

  /** The records the kernel writes for this JVM's connect(fd, 127.0.0.1:port). */
  private static AuditEvent connectEvent(long fd, int port) {
    String head = "msg=audit(1700000000.123:456): ";
    String saddr = String.format("0200%04X7F0000010000000000000000", port);
    List<AuditEvent> done = new ArrayList<>();
    AuditEventAssembler a = new AuditEventAssembler(4, 1_000_000_000L, 0, done::add);
    for (String line :
        List.of(
            "type=SYSCALL "
                + head
                + "arch=c000003e syscall=42 success=yes exit=0 a0="
                + Long.toHexString(fd)
                + " a1=7ffd2c1e5a40 a2=10 a3=0 items=0 ppid=1 pid="
                + PID
                + " auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none)"
                + " ses=1 comm=\"java\" exe=\"/usr/bin/java\" key=\"vigil\"",
            "type=SOCKADDR " + head + "saddr=" + saddr,
            "type=EOE " + head)) {
      a.accept(AuditRecordParser.parseLogLine(line), 0);
    }
    assertEquals(1, done.size());
    return done.get(0);
  }
}
