package io.vigil.agent.response.network;

import io.vigil.agent.packet.IpText;
import java.net.InetAddress;

/**
 * IP addresses as nft prints them: IPv4 dotted, IPv6 in the RFC 5952 short form ({@link IpText}, as
 * the packet sensor writes them; Java's {@link InetAddress#getHostAddress} writes every group and a
 * scope), so that rendered rules, facts and the state file read the same as {@code nft list
 * ruleset}.
 */
final class AddressText {
  private AddressText() {}

  static String of(InetAddress a) {
    byte[] b = a.getAddress();
    return IpText.of(b, 0, b.length);
  }
}
