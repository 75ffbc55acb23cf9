package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.CommandResult;
import io.vigil.testkit.Commands;
import io.vigil.testkit.ContainmentNetwork;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.EchoPeer;
import io.vigil.testkit.Host;
import io.vigil.testkit.Netns;
import io.vigil.testkit.Poll;
import io.vigil.testkit.StoredCommand;
import io.vigil.testkit.VigilProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ground the containment tests stand on, proven with what needs no containment action: the
 * three namespaces of {@link ContainmentNetwork} reach each other (C and B only through A's
 * forwarding) while the root namespace gains nothing, and a {@link Deployment} placed in them (the
 * collector in B on B's address, the agent in A) enrols the real way, streams across the A–B link
 * and answers a {@code vigilctl ping} that runs in B.
 */
@Tag("kernel")
class NamespacedDeploymentTest {
  static final int ECHO_PORT = 7007;

  @TempDir static Path dir;
  private static ContainmentNetwork net;
  private static String rootForwardBefore;
  private static String rootRulesetBefore;
  private static List<VigilProcess> peers = List.of();

  @BeforeAll
  static void network() throws Exception {
    Host.requireRoot("kernel tests need root");
    rootForwardBefore = Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward"));
    rootRulesetBefore = root("nft", "-s", "list", "ruleset");
    net = ContainmentNetwork.create();
    peers = startEchoPeers(net, dir);
  }

  /** An {@link EchoPeer} on every address of each namespace, port {@link #ECHO_PORT}. */
  static List<VigilProcess> startEchoPeers(ContainmentNetwork net, Path dir) throws Exception {
    return List.of(
        EchoPeer.start(net.a(), "0.0.0.0", ECHO_PORT, dir.resolve("echo-a.log")),
        EchoPeer.start(net.b(), "0.0.0.0", ECHO_PORT, dir.resolve("echo-b.log")),
        EchoPeer.start(net.c(), "0.0.0.0", ECHO_PORT, dir.resolve("echo-c.log")));
  }

  @AfterAll
  static void removeNetwork() throws Exception {
    try {
      for (VigilProcess p : peers) {
        p.close();
      }
    } finally {
      if (net != null) {
        net.close();
      }
    }
  }

  @Test
  void theNamespacesReachEachOtherThroughAAndTheRootNamespaceGainsNothing() throws Exception {
    Netns a = net.a();
    Netns b = net.b();
    Netns c = net.c();
    assertReachable(c, ContainmentNetwork.A_TOWARD_C, "C to A");
    assertReachable(a, ContainmentNetwork.C_ADDRESS, "A to C");
    assertReachable(a, ContainmentNetwork.B_ADDRESS, "A to B");
    assertReachable(c, ContainmentNetwork.B_ADDRESS, "C to B, forwarded by A");
    assertReachable(b, ContainmentNetwork.C_ADDRESS, "B to C, forwarded by A");

    // Not an equality of all links: other tests on a shared machine may add their own meanwhile.
    for (String iface :
        List.of("vigil-test-ab", "vigil-test-ba", "vigil-test-ac", "vigil-test-ca")) {
      // This JVM lives in the root namespace: its /sys/class/net lists the root's interfaces.
      assertFalse(Files.exists(Path.of("/sys/class/net", iface)), iface + " in the root namespace");
    }
    assertFalse(root("ip", "-o", "addr", "show").contains("10.232."), "no address in the root");
    assertFalse(
        root("ip", "route", "show", "table", "all").contains("10.232."), "no route in the root");
    assertEquals(
        rootForwardBefore,
        Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")),
        "forwarding is turned on in A only");
    assertEquals(rootRulesetBefore, root("nft", "-s", "list", "ruleset"));
  }

  @Test
  void aDeploymentInTheNamespacesEnrolsStreamsOverTheVethAndAnswersAPing() throws Exception {
    Path root = Files.createDirectory(dir.resolve("deployment"));
    try (Deployment d =
        new Deployment(root)
            .withCollectorIn(net.b().name(), ContainmentNetwork.B_ADDRESS)
            .withAgentIn(net.a().name())) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(200, 100);
      net.b().awaitHolds(collector.pid());
      net.a().awaitHolds(agent.pid());
      d.awaitStored(200, Duration.ofMinutes(2), agent, collector);

      // The stream crosses the A–B link: B sees it established from A's address.
      String sockets = net.b().check("ss", "-Htn", "state", "established");
      assertTrue(
          sockets
              .lines()
              // the collector's socket is dual-stack: [::ffff:10.232.1.2]:PORT
              .map(l -> l.replace("[::ffff:", "").replace("]", ""))
              .anyMatch(
                  l ->
                      l.contains(ContainmentNetwork.B_ADDRESS + ":" + d.port())
                          && l.contains(ContainmentNetwork.A_TOWARD_B + ":")),
          "B's established sockets:\n" + sockets);

      String agentId = d.agentId();
      assertEquals(0, d.vigilctl("ping", agentId, "--wait", "60s"), d.lastToolLog());
      assertTrue(d.lastToolLog().contains(agentId), d.lastToolLog());
      // The agent's result came back over the stream and was stored.
      List<StoredCommand> pings = d.store().commands("ping");
      assertEquals(1, pings.size(), pings.toString());
      assertEquals(agentId, pings.get(0).agentId());
      assertEquals(
          CommandResult.Outcome.OUTCOME_SUCCEEDED,
          pings.get(0).result().orElseThrow(() -> new AssertionError(pings)).getOutcome());
    }
  }

  static void assertReachable(Netns from, String address, String what) throws Exception {
    // A fresh link may need a moment (neighbour discovery); a working path answers within 30 s.
    Poll.until(
        Duration.ofSeconds(30), () -> what + ": ICMP", () -> probe(() -> from.pings(address)));
    Poll.until(
        Duration.ofSeconds(30),
        () -> what + ": TCP",
        () -> probe(() -> from.tcpEchoes(address, ECHO_PORT)));
    Poll.until(
        Duration.ofSeconds(30),
        () -> what + ": UDP",
        () -> probe(() -> from.udpEchoes(address, ECHO_PORT)));
  }

  /** A probe that may throw, as a poll condition. */
  interface Probe {
    boolean get() throws Exception;
  }

  static boolean probe(Probe p) {
    try {
      return p.get();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** A command in the root namespace (this JVM's), failing unless it exits 0. */
  private static String root(String... command) throws Exception {
    return Commands.run(true, command);
  }
}
