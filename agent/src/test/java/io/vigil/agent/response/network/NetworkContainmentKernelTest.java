package io.vigil.agent.response.network;

import static io.vigil.agent.response.network.Namespaces.connect;
import static io.vigil.agent.response.network.Namespaces.echoes;
import static io.vigil.agent.response.network.Namespaces.in;
import static io.vigil.agent.response.network.Namespaces.must;
import static io.vigil.agent.response.network.Namespaces.ping;
import static io.vigil.agent.response.network.Namespaces.tcp;
import static io.vigil.agent.response.network.Namespaces.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.response.Action;
import io.vigil.proto.v1.Block;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.CommandResult.Outcome;
import io.vigil.proto.v1.Isolate;
import io.vigil.proto.v1.Release;
import io.vigil.proto.v1.Unblock;
import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Isolation and blocks with real nft and real traffic, in three namespaces this test creates: the
 * agent's host A, the collector's host B (10.231.1.2, "collector" on TCP 18443, another service on
 * 18080) and a peer C (10.231.2.2) that routes to B through A (ip_forward on in A). The root
 * namespace is never touched.
 */
@Tag("kernel")
class NetworkContainmentKernelTest {
  private static final String A = "vigil-test-net-a";
  private static final String B = "vigil-test-net-b";
  private static final String C = "vigil-test-net-c";
  private static final String COLLECTOR = "10.231.1.2";
  private static final int PORT = 18443;
  private static final String A_TO_B = "10.231.1.1";
  private static final String PEER = "10.231.2.2";
  private static final String A_TO_C = "10.231.2.1";
  private static final String A6 = "fd31::1";
  private static final String COLLECTOR6 = "fd31::2";
  private static final String OTHER6 = "fd31::3";
  private static final String OTHER_TABLE =
      "table ip other { chain c { type filter hook input priority 10; policy accept; }; }";

  private static final List<Closeable> servers = new ArrayList<>();

  @TempDir Path dir;

  @BeforeAll
  static void network() throws Exception {
    Namespaces.delete(List.of(A, B, C));
    for (String ns : List.of(A, B, C)) {
      must("ip", "netns", "add", ns);
      must("ip", "-n", ns, "link", "set", "lo", "up");
    }
    must("ip", "-n", A, "link", "add", "vab", "type", "veth", "peer", "name", "vba", "netns", B);
    must("ip", "-n", A, "link", "add", "vac", "type", "veth", "peer", "name", "vca", "netns", C);
    must("ip", "-n", A, "addr", "add", A_TO_B + "/30", "dev", "vab");
    must("ip", "-n", B, "addr", "add", COLLECTOR + "/30", "dev", "vba");
    must("ip", "-n", A, "addr", "add", A_TO_C + "/30", "dev", "vac");
    must("ip", "-n", C, "addr", "add", PEER + "/30", "dev", "vca");
    for (String[] l : new String[][] {{A, "vab"}, {A, "vac"}, {B, "vba"}, {C, "vca"}}) {
      must("ip", "-n", l[0], "link", "set", l[1], "up");
    }
    must("ip", "-n", C, "route", "add", "default", "via", A_TO_C);
    must("ip", "-n", B, "route", "add", "10.231.2.0/30", "via", A_TO_B);
    must("ip", "netns", "exec", A, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    must("ip", "-n", A, "addr", "add", A6 + "/64", "dev", "vab", "nodad");
    must("ip", "-n", B, "addr", "add", COLLECTOR6 + "/64", "dev", "vba", "nodad");
    must("ip", "-n", B, "addr", "add", OTHER6 + "/64", "dev", "vba", "nodad");
    servers.add(Namespaces.echo(B, COLLECTOR, PORT));
    servers.add(Namespaces.echo(B, COLLECTOR, 18080));
    servers.add(Namespaces.echo(B, COLLECTOR6, PORT));
    servers.add(Namespaces.echo(B, OTHER6, PORT));
    servers.add(Namespaces.echo(C, PEER, 9000));
    servers.add(Namespaces.echo(A, A_TO_C, 7000));
  }

  @AfterAll
  static void teardown() throws Exception {
    for (Closeable s : servers) {
      s.close();
    }
    Namespaces.delete(List.of(A, B, C));
  }

  @BeforeEach
  void freshRuleset() throws Exception {
    must("ip", "netns", "exec", A, "nft", "flush", "ruleset");
    must("ip", "netns", "exec", A, "nft", OTHER_TABLE);
  }

  private static String ruleset() throws Exception {
    return must("ip", "netns", "exec", A, "nft", "-s", "list", "ruleset");
  }

  /** A fresh connection from A to the collector that echoes: the collector "answers". */
  private static final CollectorProbe PROBE =
      timeout -> {
        if (!tcp(A, COLLECTOR, PORT)) {
          throw new IOException("no echo from " + COLLECTOR + ":" + PORT);
        }
      };

  private NetworkContainment containment(int collectorPort, String... allow) {
    return new NetworkContainment(
        TestSupport.response(true, Duration.ofSeconds(3), allow),
        dir,
        TestSupport.channels(COLLECTOR, collectorPort, dir),
        PROBE,
        nft());
  }

  private static CommandResult run(Action a, Command.Builder c) throws Exception {
    CommandResult.Builder r = CommandResult.newBuilder();
    a.run(c.setCommandId("k").build(), r);
    return r.build();
  }

  private static final Command.Builder ISOLATE =
      Command.newBuilder().setIsolate(Isolate.getDefaultInstance());
  private static final Command.Builder RELEASE =
      Command.newBuilder().setRelease(Release.getDefaultInstance());

  private static void assertReachable(boolean expected) throws Exception {
    String what = expected ? "reachable" : "cut off";
    assertEquals(expected, ping(A, PEER), "ping A->C " + what);
    assertEquals(expected, ping(C, A_TO_C), "ping C->A " + what);
    assertEquals(expected, tcp(A, PEER, 9000), "tcp A->C " + what);
    assertEquals(expected, tcp(C, A_TO_C, 7000), "tcp C->A " + what);
    assertEquals(expected, udp(A, PEER, 9000), "udp A->C " + what);
    assertEquals(expected, udp(C, A_TO_C, 7000), "udp C->A " + what);
    assertEquals(expected, tcp(A, COLLECTOR, 18080), "tcp A->B on a non-collector port " + what);
    assertEquals(expected, tcp(C, COLLECTOR, 18080), "tcp C->B forwarded through A " + what);
  }

  @Test
  void isolationCutsEverythingButTheCollectorAndReleaseRestoresTheRuleset() throws Exception {
    NetworkContainment n = containment(PORT);
    assertReachable(true);
    String before = ruleset();
    try (Socket stream = connect(A, COLLECTOR, PORT);
        Socket fromPeer = connect(C, A_TO_C, 7000);
        Socket toPeer = connect(A, PEER, 9000)) {
      assertTrue(echoes(stream, "before"));
      assertTrue(echoes(fromPeer, "before"));
      assertTrue(echoes(toPeer, "before"));

      CommandResult r = run(n::isolate, ISOLATE);
      assertEquals(Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
      assertEquals("true", r.getFactsOrThrow("isolated"));
      assertEquals(COLLECTOR, r.getFactsOrThrow("collector_addresses"));

      assertTrue(echoes(stream, "during"), "the collector stream keeps passing");
      assertTrue(tcp(A, COLLECTOR, PORT), "a new collector connection works");
      assertFalse(echoes(fromPeer, "during"), "a session C->A opened before stops");
      assertFalse(echoes(toPeer, "during"), "a session A->C opened before stops");
      assertReachable(false);
    }
    CommandResult rel = run(n::release, RELEASE);
    assertEquals(Outcome.OUTCOME_SUCCEEDED, rel.getOutcome(), rel.getDetail());
    assertEquals("true", rel.getFactsOrThrow("ruleset_restored"), rel.getDetail());
    assertEquals(before, ruleset());
    assertReachable(true);
  }

  @Test
  void anExceptionStaysOpenWhileIsolated() throws Exception {
    NetworkContainment n = containment(PORT, PEER + " tcp/9000");
    CommandResult r = run(n::isolate, ISOLATE);
    assertEquals(Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    assertTrue(tcp(A, PEER, 9000), "the exception passes");
    assertFalse(udp(A, PEER, 9000), "only tcp/9000 is excepted");
    assertFalse(ping(A, PEER));
    run(n::release, RELEASE);
  }

  @Test
  void aCollectorThatDoesNotAnswerIsRolledBackAndTheRulesetIsAsBefore() throws Exception {
    // The collector's address, but a port nobody listens on: the probe never succeeds.
    NetworkContainment n =
        new NetworkContainment(
            TestSupport.response(true, Duration.ofSeconds(2)),
            dir,
            TestSupport.channels(COLLECTOR, 18444, dir),
            timeout -> {
              if (!tcp(A, COLLECTOR, 18444)) {
                throw new IOException("connection refused");
              }
            },
            nft());
    String before = ruleset();
    CommandResult r = run(n::isolate, ISOLATE);
    assertEquals(Outcome.OUTCOME_FAILED, r.getOutcome());
    assertEquals("false", r.getFactsOrThrow("isolated"));
    assertEquals("true", r.getFactsOrThrow("rolled_back"));
    assertEquals("true", r.getFactsOrThrow("ruleset_restored"));
    assertEquals(before, ruleset());
    assertTrue(ping(A, PEER), "A stays reachable");
    assertTrue(tcp(C, A_TO_C, 7000));
  }

  @Test
  void blockDropsAPeerBothWaysAndUnblockRestores() throws Exception {
    NetworkContainment n = containment(PORT);
    String before = ruleset();
    CommandResult r =
        run(n::block, Command.newBuilder().setBlock(Block.newBuilder().setAddress(PEER + "/32")));
    assertEquals(Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    assertFalse(ping(A, PEER));
    assertFalse(ping(C, A_TO_C));
    assertFalse(tcp(A, PEER, 9000));
    assertFalse(tcp(C, A_TO_C, 7000));
    assertFalse(udp(C, A_TO_C, 7000));
    assertFalse(tcp(C, COLLECTOR, 18080), "forwarded traffic from the blocked peer too");
    assertTrue(tcp(A, COLLECTOR, 18080), "everything else passes");
    r = run(n::unblock, Command.newBuilder().setUnblock(Unblock.newBuilder().setAddress(PEER)));
    assertEquals("0", r.getFactsOrThrow("blocks"));
    assertEquals(before, ruleset());
    assertTrue(ping(A, PEER));
    assertTrue(tcp(C, A_TO_C, 7000));
  }

  @Test
  void aRestartedAgentReappliesTheIsolationWithoutAProbe() throws Exception {
    NetworkContainment n = containment(PORT);
    String before = ruleset();
    assertEquals(Outcome.OUTCOME_SUCCEEDED, run(n::isolate, ISOLATE).getOutcome());
    String isolated = ruleset();
    // The kernel forgets (a reboot), the collector is down: the agent starts again.
    must("ip", "netns", "exec", A, "nft", "delete", "table", "inet", "vigil");
    assertTrue(ping(A, PEER));
    NetworkContainment restarted =
        new NetworkContainment(
            TestSupport.response(true, Duration.ofSeconds(3)),
            dir,
            TestSupport.channels(COLLECTOR, PORT, dir),
            timeout -> {
              throw new AssertionError("no probe at start");
            },
            nft());
    restarted.reapplyAtStart();
    assertTrue(restarted.isolated());
    assertEquals(isolated, ruleset());
    assertFalse(ping(A, PEER));
    assertTrue(tcp(A, COLLECTOR, PORT));
    CommandResult rel = run(restarted::release, RELEASE);
    assertEquals("true", rel.getFactsOrThrow("ruleset_restored"), rel.getDetail());
    assertEquals(before, ruleset());
  }

  @Test
  void anIpv6CollectorKeepsNeighbourDiscoveryAndOnlyItsAddress() throws Exception {
    NetworkContainment n =
        new NetworkContainment(
            TestSupport.response(true, Duration.ofSeconds(5)),
            dir,
            TestSupport.channels(COLLECTOR6, PORT, dir),
            timeout -> {
              if (!tcp(A, COLLECTOR6, PORT)) {
                throw new IOException("no echo from [" + COLLECTOR6 + "]:" + PORT);
              }
            },
            nft());
    String before = ruleset();
    assertTrue(tcp(A, OTHER6, PORT));
    CommandResult r = run(n::isolate, ISOLATE);
    assertEquals(Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
    assertEquals(COLLECTOR6, r.getFactsOrThrow("collector_addresses"));
    // Forget the neighbours: a new connection must resolve the collector's link address again.
    must("ip", "-n", A, "neigh", "flush", "all");
    assertTrue(tcp(A, COLLECTOR6, PORT), "neighbour discovery and the collector pass");
    assertFalse(tcp(A, OTHER6, PORT), "another address on the same host is cut");
    assertFalse(ping(A, OTHER6));
    assertFalse(ping(A, PEER));
    assertEquals("true", run(n::release, RELEASE).getFactsOrThrow("ruleset_restored"));
    assertEquals(before, ruleset());
    assertTrue(tcp(A, OTHER6, PORT));
  }

  @Test
  void aConnectionFromTheCollectorsPortIsNotLetIn() throws Exception {
    int port = 18445;
    NetworkContainment n =
        new NetworkContainment(
            TestSupport.response(true, Duration.ofSeconds(3)),
            dir,
            TestSupport.channels(COLLECTOR, port, dir),
            timeout -> {}, // nothing answers on that port; this test is about the rules
            nft());
    assertTrue(fromCollectorPort(port), "before isolation");
    assertEquals(Outcome.OUTCOME_SUCCEEDED, run(n::isolate, ISOLATE).getOutcome());
    assertFalse(fromCollectorPort(port), "a SYN from the collector's address and port");
    run(n::release, RELEASE);
  }

  /** A connection from B, from the collector's address and port, to a service on A. */
  private static boolean fromCollectorPort(int port) throws Exception {
    return Namespaces.call(
        B,
        () -> {
          try (Socket s = new Socket()) {
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(COLLECTOR, port));
            s.connect(new java.net.InetSocketAddress(A_TO_C, 7000), 1500);
            s.setSoTimeout(1500);
            return echoes(s, "forged");
          } catch (IOException e) {
            return false;
          }
        });
  }

  @Test
  void anExceptionsPortOpensOnlyItsClientsSide() throws Exception {
    try (Closeable local = Namespaces.echo(A, A_TO_C, 7001)) {
      NetworkContainment n =
          containment(PORT, "* tcp/9100", "* udp/9100", "* tcp/9000", "* udp/9000", "* tcp/7001");
      assertTrue(fromPort(true, 9100, 7000), "before isolation: tcp from port 9100");
      assertTrue(fromPort(false, 9100, 7000), "before isolation: udp from port 9100");
      CommandResult r = run(n::isolate, ISOLATE);
      assertEquals(Outcome.OUTCOME_SUCCEEDED, r.getOutcome(), r.getDetail());
      assertFalse(fromPort(true, 9100, 7000), "tcp from an excepted port to another local port");
      assertFalse(fromPort(false, 9100, 7000), "udp from an excepted port to another local port");
      assertTrue(tcp(A, PEER, 9000), "tcp to the peer's excepted service");
      assertTrue(udp(A, PEER, 9000), "udp to the peer's excepted service, and its answer");
      assertTrue(tcp(C, A_TO_C, 7001), "tcp to this host's excepted service");
      assertFalse(tcp(C, A_TO_C, 7000), "tcp to a service not excepted");
      run(n::release, RELEASE);
    }
  }

  /** From C, bound to source port {@code from}, to A's echo on {@code to}: does it echo? */
  private static boolean fromPort(boolean tcp, int from, int to) throws Exception {
    return Namespaces.call(
        C,
        () -> {
          if (tcp) {
            try (Socket s = new Socket()) {
              s.setReuseAddress(true);
              s.bind(new java.net.InetSocketAddress(PEER, from));
              s.connect(new java.net.InetSocketAddress(A_TO_C, to), 1500);
              s.setSoTimeout(1500);
              return echoes(s, "from-" + from);
            } catch (IOException e) {
              return false;
            }
          }
          try (java.net.DatagramSocket d =
              new java.net.DatagramSocket(new java.net.InetSocketAddress(PEER, from))) {
            d.setSoTimeout(1500);
            byte[] msg = ("from-" + from).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            d.send(
                new java.net.DatagramPacket(
                    msg, msg.length, java.net.InetAddress.getByName(A_TO_C), to));
            java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[512], 512);
            d.receive(p);
            return p.getLength() == msg.length;
          } catch (IOException e) {
            return false;
          }
        });
  }

  @Test
  void anIsolationCutShortDuringItsProofIsRolledBackAtRestart() throws Exception {
    String before = ruleset();
    java.util.concurrent.CountDownLatch proving = new java.util.concurrent.CountDownLatch(1);
    NetworkContainment first =
        new NetworkContainment(
            TestSupport.response(true, Duration.ofMinutes(5)),
            dir,
            TestSupport.channels(COLLECTOR, PORT, dir),
            timeout -> {
              proving.countDown();
              new java.util.concurrent.CountDownLatch(1).await(); // the agent dies waiting
            },
            nft());
    Thread t =
        new Thread(
            () -> {
              try {
                run(first::isolate, ISOLATE);
              } catch (Exception e) {
                // interrupted at the end of the test
              }
            });
    t.setDaemon(true);
    t.start();
    assertTrue(proving.await(60, java.util.concurrent.TimeUnit.SECONDS));
    assertFalse(ping(A, PEER), "isolated while proving");

    NetworkContainment restarted = containment(PORT);
    restarted.reapplyAtStart();
    assertFalse(restarted.isolated());
    assertEquals(before, ruleset(), "rolled back at start");
    assertTrue(ping(A, PEER));
    assertTrue(tcp(C, A_TO_C, 7000));
    assertTrue(restarted.problem().orElseThrow().contains("interrupted"));
    t.interrupt();
    t.join(60_000);
    assertEquals(before, ruleset());
  }

  private static NftTool nft() {
    return new NftTool(
        List.of("ip", "netns", "exec", A), Path.of("/usr/sbin/nft"), Duration.ofSeconds(10));
  }

  @Test
  void nftErrorsCarryItsMessage() throws Exception {
    NftTool nft = nft();
    IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IOException.class, () -> nft.apply("table inet vigil { chain x { bogus } }\n"));
    assertTrue(e.getMessage().contains("failed (exit 1)"), e.getMessage());
    assertTrue(e.getMessage().contains("Error"), e.getMessage());
    assertTrue(in(A, "nft", "list", "table", "inet", "vigil").code() != 0, "nothing applied");
  }
}
