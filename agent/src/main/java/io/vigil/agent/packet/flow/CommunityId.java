package io.vigil.agent.packet.flow;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The Community ID v1 flow hash (corelight/community-id-spec), so that a flow here can be joined
 * with the same flow in Zeek, Suricata or Elastic: {@code "1:" + base64(SHA-1(seed, ordered
 * addresses, protocol, 0, ordered ports))}.
 *
 * <p>Ports are hashed for TCP, UDP, SCTP, ICMP and ICMPv6 only. For ICMP the "ports" are the type
 * and, for the request/reply types the spec pairs up (echo, timestamp, information, router and
 * address-mask for ICMP; echo, multicast listener, router and neighbour discovery, node information
 * ("who are you") and home agent address discovery for ICMPv6, as in the spec's reference
 * implementation), the counterpart type, so that a request and its reply give the same ID; any
 * other ICMP type is one-way: the code stands in for the destination port and the endpoints are
 * hashed as given, unordered.
 *
 * <p>Called once per emitted flow, not per packet: it reuses one digest and buffer. Not
 * thread-safe.
 */
public final class CommunityId {
  private static final int TCP = 6;
  private static final int UDP = 17;
  private static final int SCTP = 132;
  private static final int ICMP = 1;
  private static final int ICMP6 = 58;

  private final int seed;
  private final MessageDigest sha1;
  private final byte[] buf = new byte[2 + 16 + 16 + 2 + 4];
  private final byte[] hash = new byte[20];

  /** A hasher with the given seed (0 to 65535; 0 is what other tools use unless configured). */
  public CommunityId(int seed) {
    if (seed < 0 || seed > 0xFFFF) {
      throw new IllegalArgumentException("community id seed must be 0..65535: " + seed);
    }
    this.seed = seed;
    try {
      this.sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every Java platform", e);
    }
  }

  /**
   * The ID of the flow from {@code src} to {@code dst} (network-order addresses of {@code
   * addressLength} bytes, 4 or 16, at offset 0). For TCP/UDP/SCTP give the ports; for ICMP and
   * ICMPv6 give the type as {@code srcPort} and the code as {@code dstPort}; other protocols ignore
   * the ports.
   */
  public String of(
      int addressLength, byte[] src, byte[] dst, int protocol, int srcPort, int dstPort) {
    if (addressLength != 4 && addressLength != 16) {
      throw new IllegalArgumentException("address length must be 4 or 16: " + addressLength);
    }
    boolean ports = protocol == TCP || protocol == UDP || protocol == SCTP;
    boolean oneWay = false;
    if (protocol == ICMP || protocol == ICMP6) {
      ports = true;
      int counterpart = counterpartType(protocol, srcPort);
      if (counterpart >= 0) {
        dstPort = counterpart;
      } else {
        oneWay = true;
      }
    }
    boolean swap =
        !oneWay && greater(src, dst, addressLength, ports ? srcPort : 0, ports ? dstPort : 0);
    int n = 0;
    buf[n++] = (byte) (seed >>> 8);
    buf[n++] = (byte) seed;
    System.arraycopy(swap ? dst : src, 0, buf, n, addressLength);
    n += addressLength;
    System.arraycopy(swap ? src : dst, 0, buf, n, addressLength);
    n += addressLength;
    buf[n++] = (byte) protocol;
    buf[n++] = 0;
    if (ports) {
      int first = swap ? dstPort : srcPort;
      int second = swap ? srcPort : dstPort;
      buf[n++] = (byte) (first >>> 8);
      buf[n++] = (byte) first;
      buf[n++] = (byte) (second >>> 8);
      buf[n++] = (byte) second;
    }
    sha1.update(buf, 0, n);
    try {
      sha1.digest(hash, 0, hash.length);
    } catch (java.security.DigestException e) {
      throw new IllegalStateException("SHA-1 digest buffer", e);
    }
    return "1:" + Base64.getEncoder().encodeToString(hash);
  }

  /**
   * The spec's paired ICMP type for {@code type} under {@code protocol} (1 or 58), or -1 when the
   * type is one-way. The flow table uses the same pairing so that a request and its reply share a
   * flow.
   */
  static int counterpartType(int protocol, int type) {
    if (protocol == ICMP) {
      return switch (type) {
        case 8 -> 0; // echo -> echo reply
        case 0 -> 8;
        case 13 -> 14; // timestamp
        case 14 -> 13;
        case 15 -> 16; // information
        case 16 -> 15;
        case 10 -> 9; // router solicitation -> advertisement
        case 9 -> 10;
        case 17 -> 18; // address mask
        case 18 -> 17;
        default -> -1;
      };
    }
    if (protocol == ICMP6) {
      return switch (type) {
        case 128 -> 129; // echo
        case 129 -> 128;
        case 133 -> 134; // router solicitation -> advertisement
        case 134 -> 133;
        case 135 -> 136; // neighbour solicitation -> advertisement
        case 136 -> 135;
        case 130 -> 131; // multicast listener query -> report
        case 131 -> 130;
        case 139 -> 140; // node information query -> response
        case 140 -> 139;
        case 144 -> 145; // home agent address discovery
        case 145 -> 144;
        default -> -1;
      };
    }
    return -1;
  }

  /** True when (src, srcPort) sorts after (dst, dstPort), addresses as unsigned bytes. */
  private static boolean greater(byte[] src, byte[] dst, int len, int srcPort, int dstPort) {
    for (int i = 0; i < len; i++) {
      int a = src[i] & 0xFF;
      int b = dst[i] & 0xFF;
      if (a != b) {
        return a > b;
      }
    }
    return srcPort > dstPort;
  }
}
