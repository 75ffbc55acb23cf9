package io.vigil.agent.packet.decode;

/**
 * The pcap link types (LINKTYPE_* numbers, as in pcap and pcapng headers) {@link PacketDecoder}
 * decodes. Any other number is {@link Malformed#UNSUPPORTED_LINK_TYPE}.
 */
public final class LinkType {
  private LinkType() {}

  /** BSD loopback: a 4-byte address family in the capturing host's byte order. */
  public static final int NULL = 0;

  /** Ethernet II (with 802.1Q/802.1ad tags). */
  public static final int ETHERNET = 1;

  /** Raw IP as some systems number DLT_RAW (12 on most BSDs, 14 on OpenBSD). */
  public static final int RAW_12 = 12;

  public static final int RAW_14 = 14;

  /** Raw IPv4 or IPv6, told apart by the version nibble. */
  public static final int RAW = 101;

  /** Cisco HDLC: address, control, EtherType. */
  public static final int C_HDLC = 104;

  /** OpenBSD loopback: a 4-byte address family in network byte order. */
  public static final int LOOP = 108;

  /** Linux cooked capture v1 (16-byte header). */
  public static final int LINUX_SLL = 113;

  /** Raw IPv4 only. */
  public static final int IPV4 = 228;

  /** Raw IPv6 only. */
  public static final int IPV6 = 229;

  /** Linux cooked capture v2 (20-byte header). */
  public static final int LINUX_SLL2 = 276;

  /** Whether the decoder handles this link type. */
  public static boolean supported(int linkType) {
    return switch (linkType) {
      case NULL, ETHERNET, RAW_12, RAW_14, RAW, C_HDLC, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2 ->
          true;
      default -> false;
    };
  }

  /** A short name for summaries ("ethernet", "linux_sll", ...), or {@code linktype_<n>}. */
  public static String name(int linkType) {
    return switch (linkType) {
      case NULL -> "null";
      case ETHERNET -> "ethernet";
      case RAW_12, RAW_14, RAW -> "raw";
      case C_HDLC -> "c_hdlc";
      case LOOP -> "loop";
      case LINUX_SLL -> "linux_sll";
      case IPV4 -> "ipv4";
      case IPV6 -> "ipv6";
      case LINUX_SLL2 -> "linux_sll2";
      default -> "linktype_" + linkType;
    };
  }
}
