package io.vigil.agent.sensor.network;

import io.vigil.agent.packet.IpText;
import io.vigil.agent.sensor.process.audit.HexBytes;

/**
 * A {@code struct sockaddr} from an audit SOCKADDR record's {@code saddr=} field (hex of the raw
 * bytes). {@code sa_family} is in host byte order (little-endian on x86_64 and aarch64), the port
 * big-endian at +2; the IPv4 address is at +4, the IPv6 address at +8. Immutable.
 *
 * @param family the address family: 2 AF_INET, 10 AF_INET6, 1 AF_UNIX, 16 AF_NETLINK, ...
 * @param ip the address as text for AF_INET and AF_INET6, {@code null} otherwise
 * @param port the port for AF_INET and AF_INET6, 0 otherwise
 */
record Sockaddr(int family, String ip, int port) {
  static final int AF_UNIX = 1;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int AF_NETLINK = 16;

  /** Longest {@code saddr} decoded: {@code sizeof(struct sockaddr_storage)}. */
  private static final int MAX_BYTES = 128;

  /**
   * Decodes the hex text; {@code null} when it is not hex, too short for its family or too long.
   */
  static Sockaddr decode(byte[] hex) {
    if (hex == null || hex.length < 4 || hex.length > 2 * MAX_BYTES) {
      return null;
    }
    byte[] b = HexBytes.decode(hex, 0, hex.length);
    if (b == null) {
      return null;
    }
    int family = (b[0] & 0xFF) | (b[1] & 0xFF) << 8;
    if (family == AF_INET) {
      return b.length < 8 ? null : new Sockaddr(family, IpText.of(b, 4, 4), port(b));
    }
    if (family == AF_INET6) {
      return b.length < 24 ? null : new Sockaddr(family, IpText.of(b, 8, 16), port(b));
    }
    return new Sockaddr(family, null, 0);
  }

  private static int port(byte[] b) {
    return (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
  }
}
