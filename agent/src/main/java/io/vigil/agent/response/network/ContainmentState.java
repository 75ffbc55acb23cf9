package io.vigil.agent.response.network;

import io.vigil.agent.config.IsolationException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What Vigil enforces on this host's network, from which its nft table is rendered: whether the
 * host is isolated (with the collector it stays reachable on and the exceptions in force) and the
 * blocked networks. Persisted by {@link ContainmentStateFile}. Immutable.
 *
 * @param isolated the host is isolated
 * @param collectorHost the collector's host (name or literal) as configured or enrolled when the
 *     isolation began, for the operator; empty when not isolated
 * @param collectorPort the collector's TCP port kept open; 0 when not isolated
 * @param collectorAddresses every address the collector resolved to, pinned; empty when not
 *     isolated
 * @param exceptions the isolation exceptions in force (configured plus the command's); empty when
 *     not isolated
 * @param blocks blocked networks, both directions, in the order they were blocked; never
 *     overlapping
 * @param baseline {@code nft -s list ruleset} just before the isolation, to compare at release;
 *     empty when not isolated
 */
public record ContainmentState(
    boolean isolated,
    String collectorHost,
    int collectorPort,
    List<InetAddress> collectorAddresses,
    List<IsolationException> exceptions,
    List<Cidr> blocks,
    String baseline) {

  /** Nothing enforced. */
  public static final ContainmentState NONE =
      new ContainmentState(false, "", 0, List.of(), List.of(), List.of(), "");

  public ContainmentState {
    collectorAddresses = List.copyOf(collectorAddresses);
    exceptions = List.copyOf(exceptions);
    blocks = List.copyOf(blocks);
    if (isolated && (collectorAddresses.isEmpty() || collectorPort < 1 || collectorPort > 65535)) {
      throw new IllegalArgumentException(
          "an isolation needs at least one collector address and a port 1-65535");
    }
    if (!isolated
        && (!collectorAddresses.isEmpty() || !exceptions.isEmpty() || !baseline.isEmpty())) {
      throw new IllegalArgumentException(
          "collector addresses, exceptions and a baseline belong to an isolation only");
    }
    for (int i = 0; i < blocks.size(); i++) {
      for (int j = i + 1; j < blocks.size(); j++) {
        if (blocks.get(i).overlaps(blocks.get(j))) {
          throw new IllegalArgumentException(
              "blocks " + blocks.get(i) + " and " + blocks.get(j) + " overlap");
        }
      }
    }
  }

  /** True when there is anything to enforce (else Vigil's table is deleted). */
  public boolean enforces() {
    return isolated || !blocks.isEmpty();
  }

  /** This state isolated towards the given collector, keeping the blocks. */
  public ContainmentState isolatedTo(
      String host,
      int port,
      List<InetAddress> addresses,
      List<IsolationException> allowed,
      String rulesetBefore) {
    return new ContainmentState(true, host, port, addresses, allowed, blocks, rulesetBefore);
  }

  /** This state released, keeping the blocks. */
  public ContainmentState released() {
    return new ContainmentState(false, "", 0, List.of(), List.of(), blocks, "");
  }

  /** This state with the exceptions replaced (still isolated). */
  public ContainmentState withExceptions(List<IsolationException> allowed) {
    return new ContainmentState(
        isolated, collectorHost, collectorPort, collectorAddresses, allowed, blocks, baseline);
  }

  /** This state with {@code block} added at the end. */
  public ContainmentState withBlock(Cidr block) {
    List<Cidr> b = new ArrayList<>(blocks);
    b.add(block);
    return new ContainmentState(
        isolated, collectorHost, collectorPort, collectorAddresses, exceptions, b, baseline);
  }

  /** This state without {@code block}. */
  public ContainmentState withoutBlock(Cidr block) {
    List<Cidr> b = new ArrayList<>(blocks);
    b.remove(block);
    return new ContainmentState(
        isolated, collectorHost, collectorPort, collectorAddresses, exceptions, b, baseline);
  }

  /** The block that overlaps {@code block}, if any. */
  public Optional<Cidr> overlapping(Cidr block) {
    return blocks.stream().filter(b -> b.overlaps(block)).findFirst();
  }

  /**
   * True when IPv6 neighbour discovery must pass while isolated: without it no IPv6 peer on the
   * link can be reached, so it is allowed when the collector or an exception is IPv6, or DHCP is
   * allowed (DHCPv6 answers by unicast to a link-local address).
   */
  public boolean needsNeighbourDiscovery() {
    return isolated
        && (collectorAddresses.stream().anyMatch(a -> a instanceof Inet6Address)
            || exceptions.stream()
                .anyMatch(
                    e ->
                        e.dhcp() || e.network().map(n -> n instanceof Inet6Address).orElse(false)));
  }
}
