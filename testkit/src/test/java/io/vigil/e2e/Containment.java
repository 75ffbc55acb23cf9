package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.ContainmentNetwork;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.Netns;
import io.vigil.testkit.VigilProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What the containment e2e tests share: a deployment placed in a {@link ContainmentNetwork} (the
 * collector in B, the agent in A with the synthetic sensor only), the agent's {@code response}
 * settings, the isolate command guarded so that it can only ever reach an agent inside A, and
 * checks that every path into and out of A is cut.
 */
final class Containment {
  /** The nftables table the test agents own ({@code response.table}). */
  static final String TABLE = "vigil_test";

  /** How long vigilctl waits for a command's result. */
  static final String WAIT_MS = "60000";

  private Containment() {}

  /** A deployment under {@code root} with the collector in B (on B's address), the agent in A. */
  static Deployment deployment(ContainmentNetwork net, Path root) {
    return new Deployment(root)
        .withCollectorIn(net.b().name(), ContainmentNetwork.B_ADDRESS)
        .withAgentIn(net.a().name());
  }

  /**
   * The agent's {@code response} section (and a status interval), to append to its config. The
   * agent in A runs only the synthetic sensor (Deployment#startAgent): the kernel creates the proc
   * connector in the initial network namespace only, and the process and network sensors would
   * install audit rules, which are kernel-global, from a test about something else. Processes to
   * kill are found by a snapshot instead.
   */
  static String[] agentYaml(Path root, String verifyTimeout) {
    return new String[] {
      "response:",
      "  enabled: true",
      "  nft: /usr/sbin/nft",
      "  table: " + TABLE,
      "  isolation:",
      "    verify_timeout: " + verifyTimeout,
      "  quarantine:",
      "    vault: " + root.resolve("vault"),
      "  collect:",
      "    max_bytes: 1MiB",
      "status:",
      "  interval: 5s"
    };
  }

  /**
   * {@code vigilctl isolate HOST} for the agent of {@code d}, after checking that the agent process
   * runs in A: a launch mistake must never isolate the machine the tests run on. Returns the exit
   * code (the log is {@link Deployment#lastToolLog}).
   */
  static int isolate(ContainmentNetwork net, Deployment d, VigilProcess agent, String... extra)
      throws Exception {
    if (!net.a().holds(agent.pid())) {
      throw new AssertionError("refusing to isolate: " + agent + " does not run in " + net.a());
    }
    List<String> args = new ArrayList<>(List.of("isolate", d.agentId(), "--wait-ms", WAIT_MS));
    args.addAll(List.of(extra));
    return d.vigilctl(args.toArray(String[]::new));
  }

  /** Runs {@code vigilctl ACTION HOST ARGS... --wait-ms 60000} and returns its exit code. */
  static int command(Deployment d, String action, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(action, d.agentId()));
    all.addAll(List.of(args));
    all.addAll(List.of("--wait-ms", WAIT_MS));
    return d.vigilctl(all.toArray(String[]::new));
  }

  /** Asserts that no new TCP, UDP or ICMP exchange crosses between {@code from} and address. */
  static void assertCut(Netns from, String address, String what) throws Exception {
    assertAllCut(List.of(new Link(from, address, what)));
  }

  /** Every path between A and C, and from C through A to B, is cut. */
  static void assertIsolated(ContainmentNetwork net) throws Exception {
    assertAllCut(
        List.of(
            new Link(net.c(), ContainmentNetwork.A_TOWARD_C, "C to A"),
            new Link(net.a(), ContainmentNetwork.C_ADDRESS, "A to C"),
            new Link(net.c(), ContainmentNetwork.B_ADDRESS, "C to B, forwarded through A"),
            new Link(net.b(), ContainmentNetwork.C_ADDRESS, "B to C, forwarded through A")));
  }

  /** A path to probe: from a namespace to an address. */
  private record Link(Netns from, String address, String what) {}

  /**
   * Probes ICMP, TCP and UDP on every link at once and fails naming each exchange that got through.
   * A probe of a cut path waits out its own timeout (2 to 5 s); one after another, the twelve of an
   * isolation took about 40 s, at once they take about 5 s. Each probe is its own process with its
   * own timeout, so running them together changes nothing in what each one shows.
   */
  private static void assertAllCut(List<Link> links) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3 * links.size());
    try {
      List<Future<String>> probes = new ArrayList<>();
      for (Link l : links) {
        probes.add(
            pool.submit(
                () -> l.from().pings(l.address()) ? l.what() + ": ICMP still answered" : ""));
        probes.add(
            pool.submit(
                () ->
                    l.from().tcpEchoes(l.address(), NamespacedDeploymentTest.ECHO_PORT)
                        ? l.what() + ": TCP still works"
                        : ""));
        probes.add(
            pool.submit(
                () ->
                    l.from().udpEchoes(l.address(), NamespacedDeploymentTest.ECHO_PORT)
                        ? l.what() + ": UDP still works"
                        : ""));
      }
      List<String> through = new ArrayList<>();
      for (Future<String> p : probes) {
        String r = p.get(2, TimeUnit.MINUTES);
        if (!r.isEmpty()) {
          through.add(r);
        }
      }
      assertTrue(through.isEmpty(), String.join("; ", through));
    } finally {
      pool.shutdownNow();
    }
  }

  /** Every path between A and C, and between C and B through A, works (within 30 s each). */
  static void assertOpen(ContainmentNetwork net) throws Exception {
    NamespacedDeploymentTest.assertReachable(net.c(), ContainmentNetwork.A_TOWARD_C, "C to A");
    NamespacedDeploymentTest.assertReachable(net.a(), ContainmentNetwork.C_ADDRESS, "A to C");
    NamespacedDeploymentTest.assertReachable(
        net.c(), ContainmentNetwork.B_ADDRESS, "C to B through A");
    NamespacedDeploymentTest.assertReachable(
        net.b(), ContainmentNetwork.C_ADDRESS, "B to C through A");
  }

  /**
   * The agents' connections established to the collector's port, as B sees them: {@code
   * A_ADDRESS:PORT} of each agent end.
   */
  static Set<String> streamPeers(ContainmentNetwork net, int collectorPort) throws Exception {
    Set<String> out = new TreeSet<>();
    for (String line : net.b().check("ss", "-Htn", "state", "established").split("\n")) {
      // dual-stack sockets print [::ffff:10.232.1.2]:PORT
      String[] f = line.replace("[::ffff:", "").replace("]", "").trim().split("\\s+");
      if (f.length >= 4 && f[2].equals(ContainmentNetwork.B_ADDRESS + ":" + collectorPort)) {
        out.add(f[3]);
      }
    }
    return out;
  }

  /** Removes what a failed test may have left in A and B: the agent's table and B's mute table. */
  static void removeTables(ContainmentNetwork net) throws Exception {
    net.a().run(java.time.Duration.ofSeconds(30), "nft", "delete", "table", "inet", TABLE);
    net.b().run(java.time.Duration.ofSeconds(30), "nft", "delete", "table", "inet", MUTE_TABLE);
  }

  /** B's table that drops new connections from A to the collector ({@link #muteCollector}). */
  static final String MUTE_TABLE = "vigil_test_mute";

  /**
   * Makes the collector stop answering new connections from A while every established one (the
   * agent's stream) keeps working: B drops A's SYNs to the collector's port. This is what an agent
   * sees when the collector's address stops answering after the cut (a firewall elsewhere, a
   * collector that went away): its fresh verification round trip cannot complete.
   */
  static void muteCollector(ContainmentNetwork net, int collectorPort, Path dir) throws Exception {
    Path script = dir.resolve("mute.nft");
    java.nio.file.Files.writeString(
        script,
        "table inet "
            + MUTE_TABLE
            + " {\n"
            + "  chain input {\n"
            + "    type filter hook input priority filter; policy accept;\n"
            + "    ip saddr "
            + ContainmentNetwork.A_TOWARD_B
            + " tcp dport "
            + collectorPort
            + " ct state new drop\n"
            + "  }\n"
            + "}\n");
    net.b().nft(script);
  }

  /** Removes B's mute table. */
  static void unmuteCollector(ContainmentNetwork net) throws Exception {
    net.b().check("nft", "delete", "table", "inet", MUTE_TABLE);
  }

  /** Asserts A's whole ruleset is {@code before} again. */
  static void assertRulesetRestored(ContainmentNetwork net, String before) throws Exception {
    assertEquals(before, net.a().ruleset(), "A's ruleset (nft -s list ruleset) as before");
  }
}
