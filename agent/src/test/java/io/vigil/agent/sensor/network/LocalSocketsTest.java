package io.vigil.agent.sensor.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.NetworkConnection.Direction;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalSocketsTest {
  private static final Transport TCP = Transport.TRANSPORT_TCP;
  private static final Transport UDP = Transport.TRANSPORT_UDP;
  private static final long T0 = 1_700_000_000_000_000_000L;

  private static ProcessRef proc(int pid) {
    return ProcessRef.newBuilder().setPid(pid).setEntityId("e" + pid).build();
  }

  private static NetworkConnection conn(
      Direction d, Transport t, String sip, int sport, String dip, int dport, ProcessRef p) {
    NetworkConnection.Builder b =
        NetworkConnection.newBuilder()
            .setDirection(d)
            .setTransport(t)
            .setSourceIp(sip)
            .setSourcePort(sport)
            .setDestinationIp(dip)
            .setDestinationPort(dport);
    if (p != null) {
      b.setProcess(p);
    }
    return b.build();
  }

  @Test
  void aConnectionWithBothEndsNamesItsProcessWhicheverSideIsTheClient() {
    LocalSockets s = new LocalSockets();
    s.remember(
        conn(Direction.DIRECTION_OUTBOUND, TCP, "10.0.0.2", 40000, "93.184.216.34", 443, proc(7)),
        T0);
    assertEquals(proc(7), s.processOf(TCP, "10.0.0.2", 40000, "93.184.216.34", 443, T0));
    assertEquals(proc(7), s.processOf(TCP, "93.184.216.34", 443, "10.0.0.2", 40000, T0));
    assertNull(s.processOf(UDP, "10.0.0.2", 40000, "93.184.216.34", 443, T0), "other transport");
    assertNull(s.processOf(TCP, "10.0.0.2", 40001, "93.184.216.34", 443, T0), "other port");

    // inbound: source is the peer, destination the local end; IPv4-mapped spelling matches
    s.remember(
        conn(
            Direction.DIRECTION_INBOUND, TCP, "::ffff:198.51.100.9", 5555, "10.0.0.2", 22, proc(9)),
        T0);
    assertEquals(proc(9), s.processOf(TCP, "198.51.100.9", 5555, "10.0.0.2", 22, T0));
  }

  @Test
  void listenersMatchTheServerSideAndWildcardsOnlyOnLocalAddresses() {
    LocalSockets s = new LocalSockets();
    s.remember(conn(Direction.DIRECTION_LISTEN, TCP, "", 0, "0.0.0.0", 22, proc(1)), T0);
    s.remember(conn(Direction.DIRECTION_LISTEN, UDP, "", 0, "127.0.0.1", 5300, proc(2)), T0);
    assertEquals(proc(2), s.processOf(UDP, "127.0.0.1", 41000, "127.0.0.1", 5300, T0));
    // the wildcard listener is unknown territory until the host's addresses are known
    assertNull(s.processOf(TCP, "198.51.100.9", 5555, "10.0.0.2", 22, T0));
    s.localAddresses(Set.of("10.0.0.2", "127.0.0.1", "not an address"));
    assertEquals(proc(1), s.processOf(TCP, "198.51.100.9", 5555, "10.0.0.2", 22, T0));
    // an outbound ssh to a remote port 22 is not the local sshd's
    assertNull(s.processOf(TCP, "10.0.0.2", 40000, "203.0.113.1", 22, T0));
  }

  @Test
  void aConnectWithoutItsLocalEndCountsOnlyOnTheLocalSideWhileRecentAndUnambiguous() {
    LocalSockets s = new LocalSockets();
    s.localAddresses(Set.of("10.0.0.2"));
    s.remember(conn(Direction.DIRECTION_OUTBOUND, UDP, "", 0, "9.9.9.9", 53, proc(3)), T0);
    assertEquals(proc(3), s.processOf(UDP, "10.0.0.2", 33333, "9.9.9.9", 53, T0 + 1));
    assertNull(s.processOf(TCP, "10.0.0.2", 33333, "9.9.9.9", 53, T0 + 1), "other transport");
    assertNull(s.processOf(UDP, "10.0.0.9", 33333, "9.9.9.9", 53, T0 + 1), "client not local");
    assertNull(
        s.processOf(
            UDP, "10.0.0.2", 33333, "9.9.9.9", 53, T0 + LocalSockets.REMOTE_ONLY_MAX_AGE_NS + 1),
        "too old");
    // the same process again keeps it; another process makes it ambiguous
    s.remember(conn(Direction.DIRECTION_OUTBOUND, UDP, "", 0, "9.9.9.9", 53, proc(3)), T0 + 2);
    assertEquals(proc(3), s.processOf(UDP, "10.0.0.2", 33334, "9.9.9.9", 53, T0 + 3));
    s.remember(conn(Direction.DIRECTION_OUTBOUND, UDP, "", 0, "9.9.9.9", 53, proc(4)), T0 + 4);
    assertNull(s.processOf(UDP, "10.0.0.2", 33335, "9.9.9.9", 53, T0 + 5), "two processes");
    s.remember(conn(Direction.DIRECTION_OUTBOUND, UDP, "", 0, "9.9.9.9", 53, proc(4)), T0 + 6);
    assertNull(s.processOf(UDP, "10.0.0.2", 33335, "9.9.9.9", 53, T0 + 7), "still ambiguous");
    // once the window passed, the next connect is alone again
    long later = T0 + 6 + LocalSockets.REMOTE_ONLY_MAX_AGE_NS + 1;
    s.remember(conn(Direction.DIRECTION_OUTBOUND, UDP, "", 0, "9.9.9.9", 53, proc(4)), later);
    assertEquals(proc(4), s.processOf(UDP, "10.0.0.2", 33336, "9.9.9.9", 53, later + 1));
  }

  @Test
  void eventsWithoutAProcessOrAddressesAreIgnoredAndGarbageNeverThrows() {
    LocalSockets s = new LocalSockets();
    s.remember(conn(Direction.DIRECTION_OUTBOUND, TCP, "10.0.0.2", 1, "10.0.0.3", 2, null), T0);
    s.remember(conn(Direction.DIRECTION_OUTBOUND, TCP, "x", 1, "", 2, proc(5)), T0);
    s.remember(
        conn(Direction.DIRECTION_UNSPECIFIED, TCP, "10.0.0.2", 1, "10.0.0.3", 2, proc(5)), T0);
    assertEquals(0, s.size());
    assertNull(s.processOf(TCP, "not an ip", 1, "10.0.0.3", 2, T0));
    assertNull(s.processOf(TCP, "", 0, "", 0, T0));
  }

  @Test
  void boundedLeastRecentlyUsedFirst() {
    LocalSockets s = new LocalSockets(2);
    s.remember(conn(Direction.DIRECTION_LISTEN, TCP, "", 0, "10.0.0.2", 1, proc(1)), T0);
    s.remember(conn(Direction.DIRECTION_LISTEN, TCP, "", 0, "10.0.0.2", 2, proc(2)), T0);
    assertEquals(proc(1), s.processOf(TCP, "10.0.0.9", 9, "10.0.0.2", 1, T0)); // 1 used last
    s.remember(conn(Direction.DIRECTION_LISTEN, TCP, "", 0, "10.0.0.2", 3, proc(3)), T0);
    assertEquals(2, s.size());
    assertNull(s.processOf(TCP, "10.0.0.9", 9, "10.0.0.2", 2, T0), "2 was forgotten");
    assertEquals(proc(1), s.processOf(TCP, "10.0.0.9", 9, "10.0.0.2", 1, T0));
    assertEquals(proc(3), s.processOf(TCP, "10.0.0.9", 9, "10.0.0.2", 3, T0));
  }

  @Test
  void aDnsQueryFromALocalClientNamesTheClientNeverTheLocalResolver() {
    LocalSockets s = new LocalSockets();
    s.localAddresses(Set.of("127.0.0.1", "10.0.0.2"));
    // systemd-resolved listens on 127.0.0.53:53; an application connects its UDP socket there
    s.remember(conn(Direction.DIRECTION_LISTEN, UDP, "", 0, "127.0.0.53", 53, proc(300)), T0);
    s.remember(conn(Direction.DIRECTION_OUTBOUND, UDP, "", 0, "127.0.0.53", 53, proc(42)), T0);
    Set<String> local = s.localAddresses();
    // a flow between the two is the server's (the listener is the better-known side)
    assertEquals(proc(300), s.processOf(UDP, "127.0.0.1", 41000, "127.0.0.53", 53, T0));
    // the DNS question was the application's
    assertEquals(
        proc(42), s.querierOf(UDP, "127.0.0.1", 41000, "127.0.0.53", 53, T0 + 1_000, local));
    // an unknown local client: nobody, not the resolver
    LocalSockets fresh = new LocalSockets();
    fresh.localAddresses(Set.of("127.0.0.1"));
    fresh.remember(conn(Direction.DIRECTION_LISTEN, UDP, "", 0, "127.0.0.53", 53, proc(300)), T0);
    assertNull(
        fresh.querierOf(UDP, "127.0.0.1", 41000, "127.0.0.53", 53, T0, fresh.localAddresses()));
    // a remote client asking this host's DNS server: the server
    s.remember(conn(Direction.DIRECTION_LISTEN, UDP, "", 0, "0.0.0.0", 53, proc(500)), T0);
    assertEquals(proc(500), s.querierOf(UDP, "198.51.100.7", 5353, "10.0.0.2", 53, T0, local));
    // an exact socket of the client wins over everything
    s.remember(
        conn(Direction.DIRECTION_OUTBOUND, UDP, "127.0.0.1", 41001, "127.0.0.53", 53, proc(43)),
        T0);
    assertEquals(proc(43), s.querierOf(UDP, "127.0.0.1", 41001, "127.0.0.53", 53, T0, local));
  }

  @Test
  void anExplicitSetOfLocalAddressesStandsInForTheHostsOwn() {
    LocalSockets s = new LocalSockets();
    s.localAddresses(Set.of("10.0.0.2"));
    // a process inside a network namespace connects to the namespace's resolver
    s.remember(conn(Direction.DIRECTION_OUTBOUND, UDP, "", 0, "10.203.0.1", 53, proc(77)), T0);
    assertNull(
        s.processOf(UDP, "10.203.0.2", 40000, "10.203.0.1", 53, T0),
        "10.203.0.2 is not one of the host's own addresses");
    Set<String> namespace = LocalSockets.canonicalSet(Set.of("10.203.0.2", "127.0.0.1", "x"));
    assertEquals(Set.of("10.203.0.2", "127.0.0.1"), namespace, "non-literals left out");
    assertEquals(proc(77), s.processOf(UDP, "10.203.0.2", 40000, "10.203.0.1", 53, T0, namespace));
    assertEquals(proc(77), s.querierOf(UDP, "10.203.0.2", 40000, "10.203.0.1", 53, T0, namespace));
  }

  @Test
  void aLocalClientNotKnownYetIsAwaitedRatherThanNamedAfterTheServersListener() {
    LocalSockets s = new LocalSockets();
    Set<String> namespace = LocalSockets.canonicalSet(Set.of("10.203.0.2"));
    // the host's HTTP server listens on the far end of a namespace's link
    s.remember(conn(Direction.DIRECTION_LISTEN, TCP, "", 0, "10.203.0.1", 8080, proc(1)), T0);
    assertTrue(s.awaitsClient(TCP, "10.203.0.2", 40000, "10.203.0.1", 8080, T0, namespace));
    assertEquals(
        proc(1),
        s.processOf(TCP, "10.203.0.2", 40000, "10.203.0.1", 8080, T0, namespace),
        "without the wait the listener is all there is");
    // curl's audit connect arrives
    s.remember(conn(Direction.DIRECTION_OUTBOUND, TCP, "", 0, "10.203.0.1", 8080, proc(2)), T0);
    assertFalse(s.awaitsClient(TCP, "10.203.0.2", 40000, "10.203.0.1", 8080, T0, namespace));
    assertEquals(proc(2), s.processOf(TCP, "10.203.0.2", 40000, "10.203.0.1", 8080, T0, namespace));
    // a client with its full connection known is not awaited either
    s.remember(
        conn(Direction.DIRECTION_OUTBOUND, TCP, "10.203.0.2", 40001, "10.203.0.9", 443, proc(3)),
        T0);
    assertFalse(s.awaitsClient(TCP, "10.203.0.2", 40001, "10.203.0.9", 443, T0, namespace));
    // a remote client talking to a local server is never awaited; nor garbage
    assertFalse(s.awaitsClient(TCP, "198.51.100.9", 5555, "10.203.0.2", 80, T0, namespace));
    assertFalse(s.awaitsClient(TCP, "not an ip", 1, "10.203.0.2", 80, T0, namespace));
  }
}
