package io.vigil.agent.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One exception to host isolation: traffic with a peer (an address or network, or any) that stays
 * allowed, optionally only on one TCP or UDP port. Syntax: {@code ADDRESS[/PREFIX] [tcp|udp/PORT]},
 * {@code * tcp|udp/PORT} for any peer, or {@code dhcp} (DHCP and DHCPv6 with any server). The port
 * matches on either side, so {@code 10.0.0.5 tcp/22} lets a jump host reach this host's SSH server
 * and {@code 10.0.0.2 udp/53} lets this host ask its resolver. Immutable.
 *
 * @param network the peer's address, or empty for any peer
 * @param prefix the network's prefix length (32 or 128 for one address); unused without network
 * @param protocol "tcp" or "udp", or empty for every protocol
 * @param port the port with a protocol, else empty
 * @param dhcp the {@code dhcp} keyword
 */
public record IsolationException(
    Optional<InetAddress> network,
    int prefix,
    Optional<String> protocol,
    OptionalInt port,
    boolean dhcp) {

  private static final Pattern SYNTAX =
      Pattern.compile("([^\\s/]+)(?:/(\\d{1,3}))?(?:\\s+(tcp|udp)/(\\d{1,5}))?");

  /**
   * Parses one entry.
   *
   * @throws IllegalArgumentException naming what is wrong, with the expected syntax
   */
  public static IsolationException parse(String text) {
    String t = text.trim();
    if (t.toLowerCase(Locale.ROOT).equals("dhcp")) {
      return new IsolationException(
          Optional.empty(), 0, Optional.empty(), OptionalInt.empty(), true);
    }
    Matcher m = SYNTAX.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not ADDRESS[/PREFIX] [tcp|udp/PORT], * tcp|udp/PORT or dhcp");
    }
    Optional<InetAddress> network = Optional.empty();
    int prefix = 0;
    if (!m.group(1).equals("*")) {
      InetAddress a = literal(m.group(1), text);
      int max = a.getAddress().length * 8;
      prefix = m.group(2) == null ? max : Integer.parseInt(m.group(2));
      if (prefix > max) {
        throw new IllegalArgumentException(
            "\"" + text + "\": prefix /" + prefix + " is longer than " + max + " bits");
      }
      network = Optional.of(a);
    } else if (m.group(2) != null) {
      throw new IllegalArgumentException("\"" + text + "\": * takes no prefix");
    }
    Optional<String> protocol = Optional.ofNullable(m.group(3));
    OptionalInt port = OptionalInt.empty();
    if (m.group(4) != null) {
      int p = Integer.parseInt(m.group(4));
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException("\"" + text + "\": port " + p + " is not 1-65535");
      }
      port = OptionalInt.of(p);
    }
    if (network.isEmpty() && port.isEmpty()) {
      throw new IllegalArgumentException(
          "\"" + text + "\": * allows every peer only with a port (e.g. \"* udp/53\")");
    }
    return new IsolationException(network, prefix, protocol, port, false);
  }

  /** An IP literal only: a host name would need DNS, which isolation may cut. */
  private static InetAddress literal(String s, String text) {
    if (!s.matches("[0-9a-fA-F:.]+") || !(s.contains(".") || s.contains(":"))) {
      throw new IllegalArgumentException(
          "\"" + text + "\": \"" + s + "\" is not an IPv4 or IPv6 address (names are not allowed)");
    }
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("\"" + text + "\": \"" + s + "\" is not an IP address");
    }
  }
}
