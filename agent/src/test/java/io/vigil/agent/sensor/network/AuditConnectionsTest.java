package io.vigil.agent.sensor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.sensor.ProcessDirectory;
import io.vigil.agent.sensor.process.audit.AuditEvent;
import io.vigil.agent.sensor.process.audit.AuditEventAssembler;
import io.vigil.agent.sensor.process.audit.AuditRecordParser;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.NetworkConnection.Direction;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class AuditConnectionsTest {
  private static final String HEAD = "msg=audit(1700000000.123:456): ";
  private static final long TIME_NS = 1_700_000_000_123_000_000L;
  // 127.0.0.1:8080: family 2 (host order), port 0x1f90 (big-endian), address, 8 bytes of padding
  private static final String SADDR_V4 = "02001F907F0000010000000000000000";
  // [2001:db8::5]:443: family 10, port 0x01bb, flowinfo, address, scope id
  private static final String SADDR_V6 = "0A0001BB0000000020010DB800000000000000000000000500000000";
  private static final String PROCTITLE = "6375726C00687474703A2F2F6C6F63616C686F73743A383038302F";

  private final MetricsRegistry metrics = new MetricsRegistry();
  private final Map<Integer, ProcessRef> directory = new HashMap<>();
  private final Map<String, Long> inodes = new HashMap<>(); // "pid/fd" -> inode
  private final Map<String, Transport> transports = new HashMap<>();
  private final Map<Long, SocketEntry> listening = new HashMap<>();

  private final SocketLookup lookup =
      new SocketLookup() {
        @Override
        public OptionalLong inode(int pid, long fd) {
          Long i = inodes.get(pid + "/" + fd);
          return i == null ? OptionalLong.empty() : OptionalLong.of(i);
        }

        @Override
        public Transport transport(int pid, long fd) {
          return transports.getOrDefault(pid + "/" + fd, Transport.TRANSPORT_UNSPECIFIED);
        }

        @Override
        public Optional<SocketEntry> listening(long inode) {
          return Optional.ofNullable(listening.get(inode));
        }
      };

  private final ProcessDirectory processes = pid -> Optional.ofNullable(directory.get(pid));
  private final AuditConnections connections = new AuditConnections(processes, lookup, metrics);

  private static String syscall(String arch, int nr, String result, String a0) {
    return "type=SYSCALL "
        + HEAD
        + "arch="
        + arch
        + " syscall="
        + nr
        + " "
        + result
        + " a0="
        + a0
        + " a1=7ffd2c1e5a40 a2=10 a3=0 items=0 ppid=100 pid=200 auid=1000 uid=1000 gid=1000"
        + " euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3"
        + " comm=\"curl\" exe=\"/usr/bin/curl\" subj=unconfined key=\"vigil\"";
  }

  /** Joins the lines with the real parser and assembler, ending with EOE as the kernel does. */
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

  /** A socket(a0, a1, a2) call of pid 200 that returned {@code fd}; values in hex as logged. */
  private static String socketCall(String arch, int nr, String a0, String a1, String a2, int fd) {
    return "type=SYSCALL "
        + HEAD
        + "arch="
        + arch
        + " syscall="
        + nr
        + " success=yes exit="
        + fd
        + " a0="
        + a0
        + " a1="
        + a1
        + " a2="
        + a2
        + " a3=0 items=0 ppid=100 pid=200 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000"
        + " fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm=\"bash\""
        + " exe=\"/usr/bin/bash\" subj=unconfined key=\"vigil\"";
  }

  private Transport connectTransport(String result, String fd) {
    return connections
        .convert(event(syscall("c000003e", 42, result, fd), sockaddr(SADDR_V4)))
        .orElseThrow()
        .connection()
        .getTransport();
  }

  private static String sockaddr(String hex) {
    return "type=SOCKADDR " + HEAD + "saddr=" + hex;
  }

  private double skipped(String reason) {
    return metrics.value(AuditConnections.SKIPPED, "reason", reason);
  }

  @Test
  void nonBlockingConnectInProgressIsAnOutboundAttemptWithTheRecordsProcess() {
    inodes.put("200/3", 9001L);
    transports.put("200/3", Transport.TRANSPORT_TCP);
    AuditEvent e =
        event(
            syscall("c000003e", 42, "success=no exit=-115", "3"),
            sockaddr(SADDR_V4),
            "type=PROCTITLE " + HEAD + "proctitle=" + PROCTITLE);

    AuditConnections.Converted c = connections.convert(e).orElseThrow();

    NetworkConnection expected =
        NetworkConnection.newBuilder()
            .setDirection(Direction.DIRECTION_OUTBOUND)
            .setTransport(Transport.TRANSPORT_TCP)
            .setDestinationIp("127.0.0.1")
            .setDestinationPort(8080)
            .setProcess(
                ProcessRef.newBuilder()
                    .setPid(200)
                    .setImage("/usr/bin/curl")
                    .setUid(1000)
                    .setCommandLine("curl http://localhost:8080/"))
            .setSource("audit")
            .build();
    assertEquals(expected, c.connection());
    assertEquals(TIME_NS, c.timestampNs());
    assertEquals(9001L, c.socketInode());
  }

  @Test
  void theProcessDirectoryWinsOverTheRecordsFields() {
    ProcessRef known =
        ProcessRef.newBuilder().setPid(200).setEntityId("abc").setUser("alice").build();
    directory.put(200, known);

    AuditConnections.Converted c =
        connections
            .convert(event(syscall("c000003e", 42, "success=yes exit=0", "3"), sockaddr(SADDR_V4)))
            .orElseThrow();

    assertEquals(known, c.connection().getProcess());
    assertEquals(Transport.TRANSPORT_UNSPECIFIED, c.connection().getTransport());
    assertEquals(0L, c.socketInode()); // descriptor already closed
  }

  @Test
  void refusedConnectsAreCountedNotEmitted() {
    Optional<AuditConnections.Converted> c =
        connections.convert(
            event(syscall("c000003e", 42, "success=no exit=-111", "3"), sockaddr(SADDR_V4)));

    assertTrue(c.isEmpty());
    assertEquals(1.0, skipped("failed"));
  }

  @Test
  void acceptIsInboundFromThePeerToTheListeningSocketOfTheSnapshot() {
    inodes.put("200/5", 7000L); // a0: the listening socket
    inodes.put("200/9", 7100L); // exit: the accepted socket
    listening.put(
        7000L,
        new SocketEntry(10, Transport.TRANSPORT_TCP, 10, "2001:db8::1", 8443, "::", 0, 0, 7000));

    AuditConnections.Converted c =
        connections
            .convert(event(syscall("c000003e", 288, "success=yes exit=9", "5"), sockaddr(SADDR_V6)))
            .orElseThrow();

    NetworkConnection n = c.connection();
    assertEquals(Direction.DIRECTION_INBOUND, n.getDirection());
    assertEquals("2001:db8::5", n.getSourceIp());
    assertEquals(443, n.getSourcePort());
    assertEquals("2001:db8::1", n.getDestinationIp());
    assertEquals(8443, n.getDestinationPort());
    assertEquals(Transport.TRANSPORT_TCP, n.getTransport()); // from the listening socket
    assertEquals(7100L, c.socketInode());
  }

  @Test
  void acceptOnAWildcardListenerKeepsThePortButNotTheAddress() {
    inodes.put("200/5", 7000L);
    listening.put(
        7000L,
        new SocketEntry(2, Transport.TRANSPORT_TCP, 10, "0.0.0.0", 22, "0.0.0.0", 0, 0, 7000));

    NetworkConnection n =
        connections
            .convert(event(syscall("c000003e", 43, "success=yes exit=9", "5"), sockaddr(SADDR_V4)))
            .orElseThrow()
            .connection();

    assertEquals("", n.getDestinationIp());
    assertEquals(22, n.getDestinationPort());
    assertEquals("127.0.0.1", n.getSourceIp());
  }

  @Test
  void aarch64ConnectNumbersAreRecognised() {
    NetworkConnection n =
        connections
            .convert(event(syscall("c00000b7", 203, "success=yes exit=0", "3"), sockaddr(SADDR_V6)))
            .orElseThrow()
            .connection();

    assertEquals(Direction.DIRECTION_OUTBOUND, n.getDirection());
    assertEquals("2001:db8::5", n.getDestinationIp());
  }

  @Test
  void unixAndNetlinkAddressesAndOtherSyscallsAreSkipped() {
    String unix = "01002F746D702F736F636B"; // AF_UNIX "/tmp/sock"
    String netlink = "100000000000000000000000";
    assertTrue(
        connections
            .convert(event(syscall("c000003e", 42, "success=yes exit=0", "3"), sockaddr(unix)))
            .isEmpty());
    assertTrue(
        connections
            .convert(event(syscall("c000003e", 42, "success=yes exit=0", "3"), sockaddr(netlink)))
            .isEmpty());
    assertTrue(
        connections
            .convert(event(syscall("c000003e", 59, "success=yes exit=0", "3"), sockaddr(SADDR_V4)))
            .isEmpty());
    assertTrue(
        connections
            .convert(event(syscall("c000003e", 42, "success=yes exit=0", "3"), sockaddr("0200zz")))
            .isEmpty());

    assertEquals(1.0, skipped("family_unix"));
    assertEquals(1.0, skipped("family_netlink"));
    assertEquals(1.0, skipped("bad_sockaddr"));
    assertEquals(3, metrics.total(AuditConnections.SKIPPED)); // execve is not counted
  }

  @Test
  void aConnectWhoseDescriptorIsGoneLearnsTcpFromItsSocketCall() {
    Optional<AuditConnections.Converted> socket =
        connections.convert(event(socketCall("c000003e", 41, "2", "1", "0", 3)));

    assertTrue(socket.isEmpty()); // socket() alone is no event
    assertEquals(0, metrics.total(AuditConnections.SKIPPED)); // and no skipped connect either
    assertEquals(Transport.TRANSPORT_TCP, connectTransport("success=yes exit=0", "3"));
  }

  @Test
  void aNonBlockingInet6DatagramSocketIsUdp() {
    // socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP)
    connections.convert(event(socketCall("c000003e", 41, "a", "80802", "11", 4)));

    assertEquals(Transport.TRANSPORT_UDP, connectTransport("success=yes exit=0", "4"));
  }

  @Test
  void aarch64SocketCallsAreRemembered() {
    connections.convert(event(socketCall("c00000b7", 198, "2", "1", "6", 3)));

    NetworkConnection n =
        connections
            .convert(event(syscall("c00000b7", 203, "success=yes exit=0", "3"), sockaddr(SADDR_V4)))
            .orElseThrow()
            .connection();
    assertEquals(Transport.TRANSPORT_TCP, n.getTransport());
  }

  @Test
  void theSocketCallWinsOverALiveDescriptorThatMayHaveBeenReused() {
    transports.put("200/3", Transport.TRANSPORT_TCP); // fd 3 is a TCP socket by now
    connections.convert(event(socketCall("c000003e", 41, "2", "2", "0", 3)));

    assertEquals(Transport.TRANSPORT_UDP, connectTransport("success=yes exit=0", "3"));
  }

  @Test
  void aSocketCallOfAnotherProcessOrFamilyDoesNotApply() {
    connections.convert(event(socketCall("c000003e", 41, "2", "1", "0", 3)));
    // AF_UNIX, from a foreign rule: fd 3 of pid 200 is no longer the TCP socket
    connections.convert(event(socketCall("c000003e", 41, "1", "1", "0", 3)));
    transports.put("200/3", Transport.TRANSPORT_UDP);

    assertEquals(Transport.TRANSPORT_UDP, connectTransport("success=yes exit=0", "3"));
  }

  @Test
  void withoutSocketCallOrDescriptorAConnectInProgressIsTcp() {
    assertEquals(Transport.TRANSPORT_TCP, connectTransport("success=no exit=-115", "3"));
    // a completed connect proves nothing: UDP connects complete at once too
    assertEquals(Transport.TRANSPORT_UNSPECIFIED, connectTransport("success=yes exit=0", "3"));
  }

  @Test
  void withoutSocketCallDescriptorOrListenerAnAcceptIsTcp() {
    NetworkConnection n =
        connections
            .convert(event(syscall("c000003e", 43, "success=yes exit=9", "5"), sockaddr(SADDR_V4)))
            .orElseThrow()
            .connection();

    assertEquals(Transport.TRANSPORT_TCP, n.getTransport());
    assertEquals(Direction.DIRECTION_INBOUND, n.getDirection());
  }

  @Test
  void anAcceptOnAListenerSeenAsNeitherTcpNorUdpIsNotGuessed() {
    // socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP): SCTP listeners accept too
    connections.convert(event(socketCall("c000003e", 41, "2", "1", "84", 5)));

    NetworkConnection n =
        connections
            .convert(event(syscall("c000003e", 43, "success=yes exit=9", "5"), sockaddr(SADDR_V4)))
            .orElseThrow()
            .connection();

    assertEquals(Transport.TRANSPORT_UNSPECIFIED, n.getTransport());
  }

  @Test
  void anAcceptWithoutAddressBufferHasNoSockaddrAndIsCounted() {
    assertTrue(
        connections.convert(event(syscall("c000003e", 43, "success=yes exit=9", "5"))).isEmpty());
    assertEquals(1.0, skipped("no_sockaddr"));
  }
}
