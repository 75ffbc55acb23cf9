package io.vigil.testkit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Three network namespaces for the containment tests, joined by two veth pairs:
 *
 * <pre>
 *   C (peer) 10.232.2.2 ── 10.232.2.1 A (agent) 10.232.1.1 ── 10.232.1.2 B (collector)
 * </pre>
 *
 * A forwards ({@code net.ipv4.ip_forward=1} in A only), B routes 10.232.2.0/30 through A and C
 * routes 10.232.1.0/30 through A, so traffic between C and B crosses A's forward hook. Loopback is
 * up in all three. The veth pairs are created directly inside the namespaces ({@code ip -n A link
 * add ... peer ... netns B}): the root namespace gets no interface, address, route, rule or sysctl.
 *
 * <p>Kernel-global: only tests tagged {@code kernel}, which run serially, may use it. Every name
 * starts with {@link #PREFIX} (only this class uses that prefix, so that cleaning up never touches
 * another test's namespaces); {@link #create} first removes what a killed run left, {@link #close}
 * removes everything, including processes still running in the namespaces. Not thread-safe.
 */
public final class ContainmentNetwork implements AutoCloseable {
  /** Prefix of the namespaces this class creates; a subset of {@link VethNamespace#PREFIX}. */
  public static final String PREFIX = "vigil-test-cn-";

  /** A's address on the A–B link, the address B routes C's traffic through. */
  public static final String A_TOWARD_B = "10.232.1.1";

  /** B's address: the collector listens on it. */
  public static final String B_ADDRESS = "10.232.1.2";

  /** A's address on the A–C link, the address C reaches A by. */
  public static final String A_TOWARD_C = "10.232.2.1";

  /** C's address. */
  public static final String C_ADDRESS = "10.232.2.2";

  private static final List<String> NAMES = List.of(PREFIX + "a", PREFIX + "b", PREFIX + "c");

  private final Netns a = new Netns(NAMES.get(0));
  private final Netns b = new Netns(NAMES.get(1));
  private final Netns c = new Netns(NAMES.get(2));

  private ContainmentNetwork() {}

  /** Removes leftovers of an earlier run, then creates the three namespaces and their links. */
  public static ContainmentNetwork create() throws IOException, InterruptedException {
    removeLeftovers();
    ContainmentNetwork n = new ContainmentNetwork();
    try {
      for (Netns ns : List.of(n.a, n.b, n.c)) {
        ip("netns", "add", ns.name());
        ip("-n", ns.name(), "link", "set", "lo", "up");
      }
      // Interface names live in their namespace only; at most 15 characters.
      link(n.a, "vigil-test-ab", A_TOWARD_B, n.b, "vigil-test-ba", B_ADDRESS);
      link(n.a, "vigil-test-ac", A_TOWARD_C, n.c, "vigil-test-ca", C_ADDRESS);
      ip("-n", n.b.name(), "route", "add", "10.232.2.0/30", "via", A_TOWARD_B);
      ip("-n", n.c.name(), "route", "add", "10.232.1.0/30", "via", A_TOWARD_C);
      // A fresh namespace starts with forwarding off; /proc/sys/net is the writer's namespace's.
      n.a.check("sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward");
      return n;
    } catch (IOException | RuntimeException | InterruptedException e) {
      n.close();
      throw e;
    }
  }

  private static void link(
      Netns left, String leftIf, String leftIp, Netns right, String rightIf, String rightIp)
      throws IOException, InterruptedException {
    ip(
        "-n",
        left.name(),
        "link",
        "add",
        leftIf,
        "type",
        "veth",
        "peer",
        "name",
        rightIf,
        "netns",
        right.name());
    ip("-n", left.name(), "addr", "add", leftIp + "/30", "dev", leftIf);
    ip("-n", right.name(), "addr", "add", rightIp + "/30", "dev", rightIf);
    ip("-n", left.name(), "link", "set", leftIf, "up");
    ip("-n", right.name(), "link", "set", rightIf, "up");
  }

  /** The agent's namespace. */
  public Netns a() {
    return a;
  }

  /** The collector's namespace. */
  public Netns b() {
    return b;
  }

  /** The peer's namespace. */
  public Netns c() {
    return c;
  }

  /**
   * Kills processes left in namespaces named {@link #PREFIX}... (an agent or echo peer of a killed
   * run keeps its namespace alive after {@code ip netns del}) and deletes the namespaces, which
   * takes their veth pairs along.
   */
  public static void removeLeftovers() throws IOException, InterruptedException {
    for (String line : Commands.run(true, "ip", "netns", "list").split("\n")) {
      String ns = line.split(" ", 2)[0];
      if (ns.startsWith(PREFIX)) {
        delete(ns);
      }
    }
  }

  private static void delete(String ns) throws IOException, InterruptedException {
    for (String pid : Commands.run(false, "ip", "netns", "pids", ns).split("\\s+")) {
      if (pid.matches("\\d+")) {
        ProcessHandle.of(Long.parseLong(pid))
            .ifPresent(
                h -> {
                  h.destroyForcibly();
                  h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> h).join();
                });
      }
    }
    Commands.run(false, "ip", "netns", "del", ns);
  }

  /** Kills what still runs in the namespaces and deletes them. */
  @Override
  public void close() throws IOException, InterruptedException {
    for (String ns : NAMES) {
      delete(ns);
    }
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("ip"));
    argv.addAll(List.of(args));
    Commands.run(true, argv.toArray(String[]::new));
  }
}
