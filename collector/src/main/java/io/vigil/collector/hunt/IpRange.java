package io.vigil.collector.hunt;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * {@code cidr}: an IPv4 or IPv6 network ({@code 10.0.0.0/8}, {@code fe80::/10}, or one address); a
 * value passes when it is an address literal inside it. Thread-safe.
 */
final class IpRange implements ValueTest {
  /** Only literals reach InetAddress, so it never resolves a name. */
  private static final Pattern LITERAL = Pattern.compile("[0-9.]{7,15}|[0-9A-Fa-f:.]{2,45}");

  private final byte[] network;
  private final int prefix;

  private IpRange(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  static IpRange parse(String text, int position) {
    int slash = text.indexOf('/');
    byte[] network = address(slash < 0 ? text : text.substring(0, slash));
    if (network == null) {
      throw new HuntSyntaxException(position, "cidr: not an address or network: " + text);
    }
    int prefix = network.length * 8;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > network.length * 8) {
        throw new HuntSyntaxException(position, "cidr: bad prefix length in " + text);
      }
    }
    return new IpRange(network, prefix);
  }

  /** The address's bytes (4 or 16; an IPv4-mapped IPv6 address gives 4); null if not a literal. */
  static byte[] address(String s) {
    if (!LITERAL.matcher(s).matches() || (s.indexOf(':') < 0 && s.split("\\.").length != 4)) {
      return null;
    }
    try {
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  @Override
  public boolean test(Object value) {
    if (!(value instanceof String s)) {
      return false;
    }
    byte[] a = address(s);
    if (a == null || a.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    int mask = (0xff << (8 - rest)) & 0xff;
    return rest == 0 || (a[full] & mask) == (network[full] & mask);
  }
}
