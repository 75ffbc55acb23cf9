package io.vigil.agent.response.network;

import io.vigil.agent.config.IsolationException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Renders Vigil's whole {@code inet} table from a {@link ContainmentState} as one nft script that
 * replaces the table atomically ({@code add table; delete table; table {...}}: the first line makes
 * the delete safe when the table does not exist yet, and nft applies the file as one transaction).
 * Stateless.
 *
 * <p>Isolated: input, output and forward drop by default. Loopback and the collector (its address
 * and TCP port, both directions, whatever the conntrack state, so that the running stream keeps
 * passing) are accepted first, then the blocks are dropped, then neighbour discovery and the
 * exceptions are accepted, and on input the ICMP errors that belong to a tracked connection (path
 * MTU discovery). An exception's port may be opened only by its client's side: packets from the
 * service's port pass only in a connection conntrack knows. No general {@code ct state established}
 * accept: every other connection, including those opened before the isolation, stops passing data.
 * Forwarded traffic is dropped.
 *
 * <p>Not isolated, only blocks: the chains accept by default and drop the blocked networks in both
 * directions, forwarded traffic included.
 */
public final class RulesetRenderer {
  private static final String ND =
      "icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit,"
          + " nd-router-advert } accept";
  private static final String ICMP_ERRORS =
      "icmp type { destination-unreachable, time-exceeded } ct state related accept";
  private static final String ICMPV6_ERRORS =
      "icmpv6 type { destination-unreachable, packet-too-big, time-exceeded } ct state related"
          + " accept";

  private final String table;

  /**
   * @param table the table's name ({@code response.table}), already validated
   */
  public RulesetRenderer(String table) {
    if (!table.matches("[a-z][a-z0-9_]{0,31}")) {
      throw new IllegalArgumentException("table: \"" + table + "\" is not [a-z][a-z0-9_]{0,31}");
    }
    this.table = table;
  }

  /** The script that removes the table if it exists (nothing to enforce). */
  public String deletion() {
    return "add table inet " + table + "\ndelete table inet " + table + "\n";
  }

  /** The script that makes the table exactly what {@code s} says (or removes it). */
  public String render(ContainmentState s) {
    if (!s.enforces()) {
      return deletion();
    }
    StringBuilder b = new StringBuilder(deletion());
    b.append("table inet ").append(table).append(" {\n");
    set(b, "blocked4", "ipv4_addr", s.blocks().stream().filter(c -> !c.ipv6()).toList());
    set(b, "blocked6", "ipv6_addr", s.blocks().stream().filter(Cidr::ipv6).toList());
    chain(b, s, Direction.INPUT);
    chain(b, s, Direction.OUTPUT);
    b.append("\tchain forward {\n");
    b.append("\t\ttype filter hook forward priority filter; policy ")
        .append(s.isolated() ? "drop" : "accept")
        .append(";\n");
    if (!s.isolated()) {
      b.append("\t\tip saddr @blocked4 drop\n");
      b.append("\t\tip daddr @blocked4 drop\n");
      b.append("\t\tip6 saddr @blocked6 drop\n");
      b.append("\t\tip6 daddr @blocked6 drop\n");
    }
    b.append("\t}\n}\n");
    return b.toString();
  }

  private static void set(StringBuilder b, String name, String type, List<Cidr> elements) {
    b.append("\tset ").append(name).append(" {\n");
    b.append("\t\ttype ").append(type).append("\n\t\tflags interval\n");
    if (!elements.isEmpty()) {
      b.append("\t\telements = { ")
          .append(elements.stream().map(Cidr::toString).collect(Collectors.joining(", ")))
          .append(" }\n");
    }
    b.append("\t}\n");
  }

  /** Input and output mirror each other: the peer is the source on input, the target on output. */
  private enum Direction {
    INPUT("input", "iif", "saddr", "sport", "dport"),
    OUTPUT("output", "oif", "daddr", "dport", "sport");

    final String hook;
    final String iface;
    final String peer;
    final String peerPort;
    final String ownPort;

    Direction(String hook, String iface, String peer, String peerPort, String ownPort) {
      this.hook = hook;
      this.iface = iface;
      this.peer = peer;
      this.peerPort = peerPort;
      this.ownPort = ownPort;
    }
  }

  private static void chain(StringBuilder b, ContainmentState s, Direction d) {
    b.append("\tchain ").append(d.hook).append(" {\n");
    b.append("\t\ttype filter hook ")
        .append(d.hook)
        .append(" priority filter; policy ")
        .append(s.isolated() ? "drop" : "accept")
        .append(";\n");
    if (s.isolated()) {
      rule(b, d.iface + " \"lo\" accept");
      collector(b, s, d, "ip", s.collectorAddresses().stream().filter(a -> !ipv6(a)).toList());
      collector(b, s, d, "ip6", s.collectorAddresses().stream().filter(a -> ipv6(a)).toList());
    }
    rule(b, "ip " + d.peer + " @blocked4 drop");
    rule(b, "ip6 " + d.peer + " @blocked6 drop");
    if (s.needsNeighbourDiscovery()) {
      rule(b, ND);
    }
    if (s.isolated() && d == Direction.INPUT) {
      // Routers on the collector's path answer from their own addresses: without these errors a
      // smaller MTU on the path stalls the stream's full-size writes (a PMTU black hole). Only
      // errors about a connection conntrack knows ("related") pass.
      rule(b, ICMP_ERRORS);
      rule(b, ICMPV6_ERRORS);
    }
    if (s.isolated()) {
      for (IsolationException e : s.exceptions()) {
        exception(b, e, d);
      }
    }
    b.append("\t}\n");
  }

  /**
   * Input accepts no bare SYN from the collector's port: only this host opens collector
   * connections, and a stateless accept of every packet from that address and port would let a peer
   * that forges it (or shares the collector's host) open connections to any local service. Output
   * is not limited: this host's own packets to the collector are what must pass.
   */
  private static void collector(
      StringBuilder b, ContainmentState s, Direction d, String family, List<InetAddress> addrs) {
    if (addrs.isEmpty()) {
      return;
    }
    String set =
        addrs.size() == 1
            ? AddressText.of(addrs.get(0))
            : addrs.stream().map(AddressText::of).collect(Collectors.joining(", ", "{ ", " }"));
    rule(
        b,
        family
            + " "
            + d.peer
            + " "
            + set
            + " tcp "
            + d.peerPort
            + " "
            + s.collectorPort()
            + (d == Direction.INPUT ? " tcp flags & (syn | ack) != syn" : "")
            + " accept");
  }

  private static void exception(StringBuilder b, IsolationException e, Direction d) {
    if (e.dhcp()) {
      // The client's side: DHCPv4 client 68, server 67; DHCPv6 client 546, server 547.
      boolean in = d == Direction.INPUT;
      rule(b, in ? "udp sport 67 udp dport 68 accept" : "udp sport 68 udp dport 67 accept");
      rule(b, in ? "udp sport 547 udp dport 546 accept" : "udp sport 546 udp dport 547 accept");
      return;
    }
    String peer =
        e.network()
            .map(n -> (ipv6(n) ? "ip6 " : "ip ") + d.peer + " " + ExceptionText.network(e) + " ")
            .orElse("");
    if (e.port().isEmpty()) {
      rule(b, peer + "accept");
      return;
    }
    // The port is either the peer's service (this host is the client) or this host's service
    // (the peer is the client). Only the client's side may open a connection: a packet merely
    // *from* port P is accepted only as part of a connection conntrack already knows, else anyone
    // could reach every local port from source port P (UDP 53, TCP 443).
    String proto = e.protocol().orElseThrow();
    int port = e.port().getAsInt();
    String peerService = peer + proto + " " + d.peerPort + " " + port;
    String ownService = peer + proto + " " + d.ownPort + " " + port;
    if (d == Direction.INPUT) {
      rule(b, peerService + " ct state established,related accept");
      rule(b, ownService + " accept");
    } else {
      rule(b, peerService + " ct state new,established accept");
      rule(b, ownService + " ct state established accept");
    }
  }

  private static boolean ipv6(InetAddress a) {
    return a instanceof Inet6Address;
  }

  private static void rule(StringBuilder b, String rule) {
    b.append("\t\t").append(rule).append('\n');
  }
}
