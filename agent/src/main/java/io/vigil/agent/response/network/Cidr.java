package io.vigil.agent.response.network;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network: an address with its host bits cleared and a prefix length. One address
 * is a network of 32 or 128 bits. Immutable.
 *
 * @param network the network address, host bits zero
 * @param prefix the prefix length, 0 to 32 or 128
 */
public record Cidr(InetAddress network, int prefix) {

  public Cidr {
    int max = network.getAddress().length * 8;
    if (prefix < 0 || prefix > max) {
      throw new IllegalArgumentException("prefix /" + prefix + " is not 0-" + max);
    }
    network = masked(network, prefix);
  }

  /** One address. */
  public static Cidr of(InetAddress address) {
    return new Cidr(address, address.getAddress().length * 8);
  }

  /**
   * Parses {@code ADDRESS} or {@code ADDRESS/PREFIX} (IP literals only, no names); host bits are
   * cleared ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}).
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Cidr parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    String addr = slash < 0 ? t : t.substring(0, slash);
    if (addr.isEmpty()
        || addr.length() > 45
        || !addr.matches("[0-9a-fA-F:.]+")
        || !(addr.contains(".") || addr.contains(":"))) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not an IPv4 or IPv6 address or network (ADDRESS[/PREFIX])");
    }
    InetAddress a;
    try {
      a = InetAddress.getByName(addr);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IP address");
    }
    int max = a.getAddress().length * 8;
    int prefix = max;
    if (slash >= 0) {
      String p = t.substring(slash + 1);
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > max) {
        throw new IllegalArgumentException(
            "\"" + text + "\": prefix \"" + p + "\" is not 0-" + max);
      }
      prefix = Integer.parseInt(p);
    }
    return new Cidr(a, prefix);
  }

  /** True for an IPv6 network. */
  public boolean ipv6() {
    return network instanceof Inet6Address;
  }

  /** True when {@code address} lies in this network. */
  public boolean contains(InetAddress address) {
    return address.getAddress().length == network.getAddress().length
        && masked(address, prefix).equals(network);
  }

  /** True when the two networks share an address (one contains the other). */
  public boolean overlaps(Cidr other) {
    return other.ipv6() == ipv6() && (contains(other.network) || other.contains(network));
  }

  /** {@code ADDRESS} for one address, else {@code ADDRESS/PREFIX}; IPv6 compressed (RFC 5952). */
  @Override
  public String toString() {
    String a = AddressText.of(network);
    return prefix == network.getAddress().length * 8 ? a : a + "/" + prefix;
  }

  private static InetAddress masked(InetAddress address, int prefix) {
    byte[] b = address.getAddress();
    byte[] m = Arrays.copyOf(b, b.length);
    for (int i = 0; i < m.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      m[i] = (byte) (m[i] & (0xff << (8 - keep)));
    }
    try {
      // Without a scope or host name: two equal networks compare equal.
      return InetAddress.getByAddress(m);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
