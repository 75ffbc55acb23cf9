package io.vigil.agent.response.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.agent.config.IsolationException;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class RulesetRendererTest {
  private final RulesetRenderer renderer = new RulesetRenderer("vigil");

  @Test
  void nothingToEnforceDeletesTheTable() {
    assertEquals(
        "add table inet vigil\ndelete table inet vigil\n", renderer.render(ContainmentState.NONE));
  }

  @Test
  void blocksOnlyDropBothDirectionsAndForwardedTraffic() {
    ContainmentState s =
        ContainmentState.NONE
            .withBlock(Cidr.parse("10.9.0.0/16"))
            .withBlock(Cidr.parse("2001:db8::/32"))
            .withBlock(Cidr.parse("192.0.2.7"));
    assertEquals(
        """
        add table inet vigil
        delete table inet vigil
        table inet vigil {
        \tset blocked4 {
        \t\ttype ipv4_addr
        \t\tflags interval
        \t\telements = { 10.9.0.0/16, 192.0.2.7 }
        \t}
        \tset blocked6 {
        \t\ttype ipv6_addr
        \t\tflags interval
        \t\telements = { 2001:db8::/32 }
        \t}
        \tchain input {
        \t\ttype filter hook input priority filter; policy accept;
        \t\tip saddr @blocked4 drop
        \t\tip6 saddr @blocked6 drop
        \t}
        \tchain output {
        \t\ttype filter hook output priority filter; policy accept;
        \t\tip daddr @blocked4 drop
        \t\tip6 daddr @blocked6 drop
        \t}
        \tchain forward {
        \t\ttype filter hook forward priority filter; policy accept;
        \t\tip saddr @blocked4 drop
        \t\tip daddr @blocked4 drop
        \t\tip6 saddr @blocked6 drop
        \t\tip6 daddr @blocked6 drop
        \t}
        }
        """,
        renderer.render(s));
  }

  @Test
  void isolatedKeepsLoopbackCollectorAndExceptionsOnly() throws Exception {
    ContainmentState s =
        ContainmentState.NONE.isolatedTo(
            "collector.example",
            8443,
            List.of(InetAddress.getByName("10.231.1.2")),
            List.of(
                IsolationException.parse("10.0.0.5/24 tcp/22"),
                IsolationException.parse("* udp/53"),
                IsolationException.parse("192.0.2.9")),
            "baseline");
    assertEquals(
        """
        add table inet vigil
        delete table inet vigil
        table inet vigil {
        \tset blocked4 {
        \t\ttype ipv4_addr
        \t\tflags interval
        \t}
        \tset blocked6 {
        \t\ttype ipv6_addr
        \t\tflags interval
        \t}
        \tchain input {
        \t\ttype filter hook input priority filter; policy drop;
        \t\tiif "lo" accept
        \t\tip saddr 10.231.1.2 tcp sport 8443 tcp flags & (syn | ack) != syn accept
        \t\tip saddr @blocked4 drop
        \t\tip6 saddr @blocked6 drop
        \t\ticmp type { destination-unreachable, time-exceeded } ct state related accept
        \t\ticmpv6 type { destination-unreachable, packet-too-big, time-exceeded } ct state related accept
        \t\tip saddr 10.0.0.0/24 tcp sport 22 ct state established,related accept
        \t\tip saddr 10.0.0.0/24 tcp dport 22 accept
        \t\tudp sport 53 ct state established,related accept
        \t\tudp dport 53 accept
        \t\tip saddr 192.0.2.9 accept
        \t}
        \tchain output {
        \t\ttype filter hook output priority filter; policy drop;
        \t\toif "lo" accept
        \t\tip daddr 10.231.1.2 tcp dport 8443 accept
        \t\tip daddr @blocked4 drop
        \t\tip6 daddr @blocked6 drop
        \t\tip daddr 10.0.0.0/24 tcp dport 22 ct state new,established accept
        \t\tip daddr 10.0.0.0/24 tcp sport 22 ct state established accept
        \t\tudp dport 53 ct state new,established accept
        \t\tudp sport 53 ct state established accept
        \t\tip daddr 192.0.2.9 accept
        \t}
        \tchain forward {
        \t\ttype filter hook forward priority filter; policy drop;
        \t}
        }
        """,
        renderer.render(s));
  }

  @Test
  void ipv6CollectorBringsNeighbourDiscoveryAndDhcpBothFamilies() throws Exception {
    ContainmentState s =
        ContainmentState.NONE
            .withBlock(Cidr.parse("198.51.100.0/24"))
            .isolatedTo(
                "c",
                443,
                List.of(
                    InetAddress.getByName("10.0.0.1"),
                    InetAddress.getByName("fd00::1"),
                    InetAddress.getByName("fd00::2")),
                List.of(IsolationException.parse("dhcp")),
                "");
    String out = renderer.render(s);
    String input =
        """
        \tchain input {
        \t\ttype filter hook input priority filter; policy drop;
        \t\tiif "lo" accept
        \t\tip saddr 10.0.0.1 tcp sport 443 tcp flags & (syn | ack) != syn accept
        \t\tip6 saddr { fd00::1, fd00::2 } tcp sport 443 tcp flags & (syn | ack) != syn accept
        \t\tip saddr @blocked4 drop
        \t\tip6 saddr @blocked6 drop
        \t\ticmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept
        \t\ticmp type { destination-unreachable, time-exceeded } ct state related accept
        \t\ticmpv6 type { destination-unreachable, packet-too-big, time-exceeded } ct state related accept
        \t\tudp sport 67 udp dport 68 accept
        \t\tudp sport 547 udp dport 546 accept
        \t}
        """;
    assertEquals(true, out.contains(input), out);
    assertEquals(true, out.contains("\t\telements = { 198.51.100.0/24 }\n"), out);
    assertEquals(true, out.contains("\t\tudp sport 68 udp dport 67 accept\n"), out);
  }

  @Test
  void refusesABadTableName() {
    assertThrows(IllegalArgumentException.class, () -> new RulesetRenderer("vigil; flush ruleset"));
  }
}
