package io.vigil.detect.sigma.match;

import io.vigil.detect.sigma.SigmaRuleException;

/** {@code cidr}: one IPv4 or IPv6 network; a value matches when it is an address inside it. */
final class CidrRange implements ValueTest {
  private final byte[] network;
  private final int prefix;

  private CidrRange(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  /** {@code 10.0.0.0/8}, {@code fe80::/10}; without a prefix length the single address. */
  static CidrRange parse(String where, String text) throws SigmaRuleException {
    int slash = text.indexOf('/');
    String addr = (slash < 0 ? text : text.substring(0, slash)).strip();
    byte[] network = addr.indexOf(':') >= 0 ? IpAddresses.parseV6(addr) : IpAddresses.parseV4(addr);
    if (network == null) {
      throw new SigmaRuleException(where, "not a CIDR range: " + text);
    }
    int prefix = network.length * 8;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(text.substring(slash + 1).strip());
      } catch (NumberFormatException e) {
        throw new SigmaRuleException(where, "bad CIDR prefix length: " + text);
      }
      if (prefix < 0 || prefix > network.length * 8) {
        throw new SigmaRuleException(where, "bad CIDR prefix length: " + text);
      }
    }
    return new CidrRange(network, prefix);
  }

  @Override
  public boolean test(Object value) {
    if (!(value instanceof String s)) {
      return false;
    }
    byte[] a = IpAddresses.parse(s.strip());
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
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (a[full] & mask) == (network[full] & mask);
  }
}
