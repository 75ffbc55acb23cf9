package io.vigil.agent.packet.decode;

/**
 * Decodes one captured frame from its link layer to its transport header into a {@link
 * DecodedPacket}: the link types in {@link LinkType}, 802.1Q/802.1ad VLAN stacks, MPLS and PPPoE
 * sessions, IPv4 (options skipped, fragments reassembled) and IPv6 (extension headers, fragments
 * reassembled), TCP, UDP, ICMP and ICMPv6, and GRE (including ERSPAN types I-III and PPTP's
 * enhanced GRE) and VXLAN tunnels decoded through to the innermost packet.
 *
 * <p>One decoder per capture thread: it owns a {@link FragmentReassembler} and is not thread-safe.
 * It allocates nothing per packet (the reassembler allocates buffers for fragmented datagrams only)
 * and never throws on hostile input: every read is bounds-checked, and a frame that cannot be
 * decoded sets {@link DecodedPacket#malformed}.
 *
 * <p>Choices worth knowing: checksums are not verified (captures on the sending host carry
 * offloaded, unfilled checksums). An IPv4 total length or IPv6 payload length of 0 means "the
 * captured length" (TCP segmentation offload on the sending host; IPv6 jumbograms). Bytes past the
 * IP length (Ethernet padding) are ignored. A UDP length past the IP payload is clamped to it. In a
 * tunnel, the outermost tunnel is recorded in {@link DecodedPacket#tunnel} and every other field
 * describes the innermost IP packet; if the tunnel carries no IP packet (ARP inside VXLAN, say) the
 * fields describe the outer packet. VLAN tags are recorded for the outer frame only. At most one
 * datagram is reassembled per frame: a fragment inside a reassembled datagram is reported as a
 * fragment.
 */
public final class PacketDecoder {
  /** Most 802.1Q/802.1ad tags in one frame. */
  public static final int MAX_VLAN_TAGS = 8;

  /** Most tunnels nested in one frame. */
  public static final int MAX_TUNNEL_DEPTH = 4;

  /** Most IPv6 extension headers in one packet. */
  public static final int MAX_IPV6_EXTENSION_HEADERS = 8;

  /** Most MPLS labels in one stack. */
  public static final int MAX_MPLS_LABELS = 8;

  /** The VXLAN UDP port (IANA). */
  public static final int VXLAN_PORT = 4789;

  /** Geneve's UDP port (RFC 8926). */
  public static final int GENEVE_PORT = 6081;

  private static final int ETH_IPV4 = 0x0800;
  private static final int ETH_IPV6 = 0x86dd;

  private final FragmentReassembler reassembler;
  private boolean reassembledThisFrame;

  /** A decoder with a default-sized fragment table. */
  public PacketDecoder() {
    this(new FragmentReassembler());
  }

  public PacketDecoder(FragmentReassembler reassembler) {
    this.reassembler = reassembler;
  }

  /** The fragment table (for its counters). */
  public FragmentReassembler reassembler() {
    return reassembler;
  }

  /**
   * Decodes data[offset, offset+length), a frame of the given pcap link type, into {@code out}
   * (reset first).
   *
   * @return true when an IP packet was decoded, including a fragment that did not complete a
   *     datagram ({@link DecodedPacket#fragment}); false when the frame holds no IP packet ({@link
   *     DecodedPacket#ipVersion} 0, no malformed reason) or is malformed ({@link
   *     DecodedPacket#malformed} set, possibly with the fields decoded before the problem)
   */
  public boolean decode(
      byte[] data,
      int offset,
      int length,
      int linkType,
      long timestampNs,
      int originalLength,
      DecodedPacket out) {
    out.reset();
    out.timestampNs = timestampNs;
    out.linkType = linkType;
    out.capturedLength = length;
    out.originalLength = originalLength;
    reassembledThisFrame = false;
    if (data == null || offset < 0 || length < 0 || offset > data.length - length) {
      out.malformed = Malformed.TRUNCATED;
      return false;
    }
    int end = offset + length;
    switch (linkType) {
      case LinkType.ETHERNET -> ethernet(data, offset, end, out, 0);
      case LinkType.NULL, LinkType.LOOP -> loopback(data, offset, end, out);
      case LinkType.RAW, LinkType.RAW_12, LinkType.RAW_14 -> ip(data, offset, end, out, 0);
      case LinkType.IPV4 -> ipv4(data, offset, end, out, 0);
      case LinkType.IPV6 -> ipv6(data, offset, end, out, 0);
      case LinkType.LINUX_SLL -> sll(data, offset, end, out);
      case LinkType.LINUX_SLL2 -> sll2(data, offset, end, out);
      case LinkType.C_HDLC -> hdlc(data, offset, end, out);
      default -> out.malformed = Malformed.UNSUPPORTED_LINK_TYPE;
    }
    return out.malformed == null && out.ipVersion != 0;
  }

  // ---- link layers -------------------------------------------------------------------------

  private void ethernet(byte[] b, int p, int end, DecodedPacket out, int depth) {
    if (end - p < 14) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    etherType(b, p + 14, end, u16(b, p + 12), out, depth);
  }

  /** Dispatches on an EtherType whose payload starts at p, through any VLAN tags. */
  private void etherType(byte[] b, int p, int end, int type, DecodedPacket out, int depth) {
    int tags = 0;
    while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
      if (++tags > MAX_VLAN_TAGS) {
        out.malformed = Malformed.BAD_HEADER;
        return;
      }
      if (end - p < 4) {
        out.malformed = Malformed.TRUNCATED;
        return;
      }
      if (depth == 0) {
        if (out.vlanCount == 0) {
          out.vlanId = u16(b, p) & 0x0fff;
        }
        out.vlanCount++;
      }
      type = u16(b, p + 2);
      p += 4;
    }
    switch (type) {
      case ETH_IPV4 -> ipv4(b, p, end, out, depth);
      case ETH_IPV6 -> ipv6(b, p, end, out, depth);
      case 0x8847, 0x8848 -> mpls(b, p, end, out, depth);
      case 0x8864 -> pppoe(b, p, end, out, depth);
      default -> {} // ARP, LLDP, 802.3 length, ...: not IP, not an error
    }
  }

  private void loopback(byte[] b, int p, int end, DecodedPacket out) {
    if (end - p < 4) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    // The family is in the capturing host's byte order (NULL) or network order (LOOP): a value
    // with its high half set was written little-endian.
    int family = u32(b, p);
    if ((family & 0xffff0000) != 0) {
      family = Integer.reverseBytes(family);
    }
    switch (family) {
      case 2 -> ipv4(b, p + 4, end, out, 0);
      case 24, 28, 30 -> ipv6(b, p + 4, end, out, 0); // BSDs, FreeBSD, macOS disagree on AF_INET6
      default -> {}
    }
  }

  private void sll(byte[] b, int p, int end, DecodedPacket out) {
    if (end - p < 16) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    etherType(b, p + 16, end, u16(b, p + 14), out, 0);
  }

  private void sll2(byte[] b, int p, int end, DecodedPacket out) {
    if (end - p < 20) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    etherType(b, p + 20, end, u16(b, p), out, 0);
  }

  private void hdlc(byte[] b, int p, int end, DecodedPacket out) {
    if (end - p < 4) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    etherType(b, p + 4, end, u16(b, p + 2), out, 0);
  }

  private void mpls(byte[] b, int p, int end, DecodedPacket out, int depth) {
    for (int n = 0; ; n++) {
      if (n >= MAX_MPLS_LABELS) {
        out.malformed = Malformed.BAD_HEADER;
        return;
      }
      if (end - p < 4) {
        out.malformed = Malformed.TRUNCATED;
        return;
      }
      boolean bottom = (b[p + 2] & 1) != 0;
      p += 4;
      if (bottom) {
        break;
      }
    }
    // MPLS does not say what it carries; IP is recognised by its version nibble.
    if (p < end) {
      int v = (b[p] >> 4) & 0xf;
      if (v == 4) {
        ipv4(b, p, end, out, depth);
      } else if (v == 6) {
        ipv6(b, p, end, out, depth);
      }
    }
  }

  private void pppoe(byte[] b, int p, int end, DecodedPacket out, int depth) {
    if (end - p < 6) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    ppp(b, p + 6, end, out, depth);
  }

  /** A PPP frame, with or without address/control and with a 1- or 2-byte protocol. */
  private void ppp(byte[] b, int p, int end, DecodedPacket out, int depth) {
    if (end - p >= 2 && (b[p] & 0xff) == 0xff && b[p + 1] == 0x03) {
      p += 2;
    }
    if (end - p < 1) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    int proto;
    if ((b[p] & 1) != 0) {
      proto = b[p] & 0xff;
      p += 1;
    } else {
      if (end - p < 2) {
        out.malformed = Malformed.TRUNCATED;
        return;
      }
      proto = u16(b, p);
      p += 2;
    }
    if (proto == 0x21) {
      ipv4(b, p, end, out, depth);
    } else if (proto == 0x57) {
      ipv6(b, p, end, out, depth);
    }
  }

  // ---- IP ----------------------------------------------------------------------------------

  private void ip(byte[] b, int p, int end, DecodedPacket out, int depth) {
    if (p >= end) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    int v = (b[p] >> 4) & 0xf;
    if (v == 4) {
      ipv4(b, p, end, out, depth);
    } else if (v == 6) {
      ipv6(b, p, end, out, depth);
    } else {
      out.malformed = Malformed.BAD_IP_VERSION;
    }
  }

  private void ipv4(byte[] b, int p, int end, DecodedPacket out, int depth) {
    if (p >= end) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    if (((b[p] >> 4) & 0xf) != 4) {
      out.malformed = Malformed.BAD_IP_VERSION;
      return;
    }
    int ihl = (b[p] & 0xf) * 4;
    if (ihl < 20) {
      out.malformed = Malformed.BAD_HEADER;
      return;
    }
    if (end - p < ihl) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    int total = u16(b, p + 2);
    if (total == 0) {
      total = end - p; // TCP segmentation offload on the capturing host
    } else if (total < ihl) {
      out.malformed = Malformed.BAD_HEADER;
      return;
    }
    startIp(out, 4);
    System.arraycopy(b, p + 12, out.src, 0, 4);
    System.arraycopy(b, p + 16, out.dst, 0, 4);
    out.ipLength = total;
    int proto = b[p + 9] & 0xff;
    out.protocol = proto;
    int segEnd = p + total;
    int capEnd = Math.min(end, segEnd);
    int frag = u16(b, p + 6);
    int fragOffset = (frag & 0x1fff) << 3;
    boolean more = (frag & 0x2000) != 0;
    if (!more && fragOffset == 0) {
      transport(proto, b, p + ihl, capEnd, segEnd, out, depth);
      return;
    }
    out.fragment = true;
    if (reassembledThisFrame) {
      return;
    }
    if (capEnd < segEnd) {
      out.malformed = Malformed.TRUNCATED; // a cut fragment cannot be reassembled
      return;
    }
    reassembledThisFrame = true;
    FragmentReassembler.Result r =
        reassembler.add(
            4,
            out.src,
            out.dst,
            u16(b, p + 4),
            proto,
            ihl,
            fragOffset,
            more,
            b,
            p + ihl,
            total - ihl,
            out.timestampNs);
    switch (r) {
      case PENDING -> {}
      case TABLE_FULL -> out.malformed = Malformed.FRAGMENT_TABLE_FULL;
      case BAD_FRAGMENT -> out.malformed = Malformed.BAD_FRAGMENT;
      case COMPLETE -> {
        out.fragment = false;
        int len = reassembler.length();
        out.ipLength = reassembler.headerLength() + len;
        transport(proto, reassembler.buffer(), 0, len, len, out, depth);
      }
    }
  }

  private void ipv6(byte[] b, int p, int end, DecodedPacket out, int depth) {
    if (p >= end) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    if (((b[p] >> 4) & 0xf) != 6) {
      out.malformed = Malformed.BAD_IP_VERSION;
      return;
    }
    if (end - p < 40) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    int plen = u16(b, p + 4);
    if (plen == 0) {
      plen = end - p - 40; // jumbogram or segmentation offload
    }
    startIp(out, 6);
    System.arraycopy(b, p + 8, out.src, 0, 16);
    System.arraycopy(b, p + 24, out.dst, 0, 16);
    out.ipLength = 40 + plen;
    int segEnd = p + 40 + plen;
    int capEnd = Math.min(end, segEnd);
    int nh = b[p + 6] & 0xff;
    int q = p + 40;
    for (int n = 0; ; n++) {
      int hlen;
      switch (nh) {
        case 0, 43, 60, 135, 139, 140 -> hlen = 8; // hop-by-hop, routing, dest opts, MIPv6, HIP
        case 51 -> hlen = 8; // AH: checked below with its own length unit
        case 44 -> hlen = 8;
        case 59 -> {
          out.protocol = 59; // no next header
          out.payload = b;
          out.payloadOffset = q;
          return;
        }
        default -> {
          out.protocol = nh;
          transport(nh, b, q, capEnd, segEnd, out, depth);
          return;
        }
      }
      out.protocol = nh;
      if (n >= MAX_IPV6_EXTENSION_HEADERS) {
        out.malformed = Malformed.EXTENSION_HEADERS;
        return;
      }
      if (capEnd - q < hlen) {
        out.malformed = segEnd - q < hlen ? Malformed.BAD_HEADER : Malformed.TRUNCATED;
        return;
      }
      int next = b[q] & 0xff;
      if (nh == 44) {
        int field = u16(b, q + 2);
        int fragOffset = field & 0xfff8;
        boolean more = (field & 1) != 0;
        if (fragOffset == 0 && !more) {
          nh = next; // an atomic fragment (RFC 6946): nothing to reassemble
          q += 8;
          continue;
        }
        out.protocol = next;
        out.fragment = true;
        if (reassembledThisFrame) {
          return;
        }
        if (capEnd < segEnd) {
          out.malformed = Malformed.TRUNCATED;
          return;
        }
        reassembledThisFrame = true;
        FragmentReassembler.Result r =
            reassembler.add(
                6,
                out.src,
                out.dst,
                u32(b, q + 4),
                next,
                q + 8 - p,
                fragOffset,
                more,
                b,
                q + 8,
                segEnd - q - 8,
                out.timestampNs);
        switch (r) {
          case PENDING -> {
            return;
          }
          case TABLE_FULL -> {
            out.malformed = Malformed.FRAGMENT_TABLE_FULL;
            return;
          }
          case BAD_FRAGMENT -> {
            out.malformed = Malformed.BAD_FRAGMENT;
            return;
          }
          case COMPLETE -> {
            out.fragment = false;
            int len = reassembler.length();
            out.ipLength = reassembler.headerLength() + len;
            b = reassembler.buffer();
            q = 0;
            capEnd = len;
            segEnd = len;
            nh = reassembler.protocol();
            continue;
          }
        }
      }
      int ext = nh == 51 ? ((b[q + 1] & 0xff) + 2) * 4 : ((b[q + 1] & 0xff) + 1) * 8;
      if (segEnd - q < ext) {
        out.malformed = Malformed.BAD_HEADER;
        return;
      }
      if (capEnd - q < ext) {
        out.malformed = Malformed.TRUNCATED;
        return;
      }
      nh = next;
      q += ext;
    }
  }

  /** Sets the IP version and clears what an outer packet of a tunnel may have set. */
  private static void startIp(DecodedPacket out, int version) {
    out.ipVersion = version;
    out.protocol = 0;
    out.srcPort = 0;
    out.dstPort = 0;
    out.icmpType = -1;
    out.icmpCode = -1;
    out.tcpFlags = 0;
    out.tcpSeq = 0;
    out.tcpAck = 0;
    out.payload = null;
    out.payloadOffset = 0;
    out.payloadLength = 0;
    out.fragment = false;
  }

  // ---- transport ---------------------------------------------------------------------------

  /**
   * The transport header at p: capEnd is where the captured bytes end, segEnd where the IP header
   * says the segment ends (capEnd <= segEnd).
   */
  private void transport(
      int proto, byte[] b, int p, int capEnd, int segEnd, DecodedPacket out, int depth) {
    out.payload = b;
    out.payloadOffset = p;
    out.payloadLength = Math.max(0, capEnd - p);
    switch (proto) {
      case 6 -> tcp(b, p, capEnd, segEnd, out);
      case 17 -> udp(b, p, capEnd, segEnd, out, depth);
      case 1, 58 -> icmp(b, p, capEnd, segEnd, out);
      case 47 -> gre(b, p, capEnd, out, depth);
      default -> {}
    }
  }

  private static void tcp(byte[] b, int p, int capEnd, int segEnd, DecodedPacket out) {
    if (capEnd - p < 20) {
      out.malformed = segEnd - p < 20 ? Malformed.BAD_TCP_HEADER : Malformed.TRUNCATED;
      return;
    }
    out.srcPort = u16(b, p);
    out.dstPort = u16(b, p + 2);
    out.tcpSeq = u32(b, p + 4) & 0xffffffffL;
    out.tcpAck = u32(b, p + 8) & 0xffffffffL;
    out.tcpFlags = b[p + 13] & 0xff;
    int doff = ((b[p + 12] >> 4) & 0xf) * 4;
    if (doff < 20 || doff > segEnd - p) {
      out.malformed = Malformed.BAD_TCP_HEADER;
      return;
    }
    if (doff > capEnd - p) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    out.payloadOffset = p + doff;
    out.payloadLength = capEnd - p - doff;
  }

  private void udp(byte[] b, int p, int capEnd, int segEnd, DecodedPacket out, int depth) {
    if (capEnd - p < 8) {
      out.malformed = segEnd - p < 8 ? Malformed.BAD_HEADER : Malformed.TRUNCATED;
      return;
    }
    out.srcPort = u16(b, p);
    out.dstPort = u16(b, p + 2);
    int ulen = u16(b, p + 4);
    if (ulen != 0 && ulen < 8) {
      out.malformed = Malformed.BAD_HEADER;
      return;
    }
    int udpEnd = ulen == 0 ? capEnd : Math.min(capEnd, p + ulen);
    out.payloadOffset = p + 8;
    out.payloadLength = udpEnd - p - 8;
    // VXLAN: 8-byte header with the I flag (a valid VNI), then an Ethernet frame.
    if (out.dstPort == VXLAN_PORT && udpEnd - p >= 16 && (b[p + 8] & 0x08) != 0) {
      if (enterTunnel(out, DecodedPacket.TUNNEL_VXLAN, depth)) {
        ethernet(b, p + 16, udpEnd, out, depth + 1);
      }
    } else if (out.dstPort == GENEVE_PORT && udpEnd - p >= 16 && (b[p + 8] & 0xc0) == 0) {
      geneve(b, p + 8, udpEnd, out, depth);
    }
  }

  /**
   * Geneve (RFC 8926), version 0: 8 bytes, then options of the header's length in 4-byte words,
   * then the payload of its protocol type (an Ethernet frame, or IP and the other EtherTypes).
   */
  private void geneve(byte[] b, int p, int end, DecodedPacket out, int depth) {
    int q = p + 8 + (b[p] & 0x3f) * 4;
    if (q > end) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    if (!enterTunnel(out, DecodedPacket.TUNNEL_GENEVE, depth)) {
      return;
    }
    int proto = u16(b, p + 2);
    if (proto == 0x6558) {
      ethernet(b, q, end, out, depth + 1);
    } else {
      etherType(b, q, end, proto, out, depth + 1);
    }
  }

  private static void icmp(byte[] b, int p, int capEnd, int segEnd, DecodedPacket out) {
    if (capEnd - p < 4) {
      out.malformed = segEnd - p < 4 ? Malformed.BAD_HEADER : Malformed.TRUNCATED;
      return;
    }
    out.icmpType = b[p] & 0xff;
    out.icmpCode = b[p + 1] & 0xff;
    int h = Math.min(8, capEnd - p);
    out.payloadOffset = p + h;
    out.payloadLength = capEnd - p - h;
  }

  private void gre(byte[] b, int p, int capEnd, DecodedPacket out, int depth) {
    if (capEnd - p < 4) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    int flags = u16(b, p);
    int version = flags & 7;
    int proto = u16(b, p + 2);
    int q = p + 4;
    if (version == 0) {
      if ((flags & 0x4000) != 0) {
        return; // source routing (RFC 1701), obsolete: counted as GRE, not decoded through
      }
      if ((flags & 0x8000) != 0) {
        q += 4; // checksum and reserved
      }
      if ((flags & 0x2000) != 0) {
        q += 4; // key
      }
      if ((flags & 0x1000) != 0) {
        q += 4; // sequence number
      }
    } else if (version == 1) {
      q += 4; // enhanced GRE (PPTP): payload length and call id
      if ((flags & 0x1000) != 0) {
        q += 4;
      }
      if ((flags & 0x0080) != 0) {
        q += 4; // acknowledgement number
      }
    } else {
      return; // unknown version: not decoded through
    }
    if (q > capEnd) {
      out.malformed = Malformed.TRUNCATED;
      return;
    }
    boolean erspan = proto == 0x88be || proto == 0x22eb;
    if (!enterTunnel(out, erspan ? DecodedPacket.TUNNEL_ERSPAN : DecodedPacket.TUNNEL_GRE, depth)) {
      return;
    }
    switch (proto) {
      case 0x6558 -> ethernet(b, q, capEnd, out, depth + 1);
      case 0x88be -> {
        // ERSPAN type II has a sequence number (S) and an 8-byte header; type I has neither.
        int h = (flags & 0x1000) != 0 ? 8 : 0;
        if (capEnd - q < h) {
          out.malformed = Malformed.TRUNCATED;
          return;
        }
        ethernet(b, q + h, capEnd, out, depth + 1);
      }
      case 0x22eb -> {
        if (capEnd - q < 12) {
          out.malformed = Malformed.TRUNCATED;
          return;
        }
        int h = 12 + ((b[q + 11] & 1) != 0 ? 8 : 0); // O flag: platform-specific subheader
        if (capEnd - q < h) {
          out.malformed = Malformed.TRUNCATED;
          return;
        }
        ethernet(b, q + h, capEnd, out, depth + 1);
      }
      case 0x880b -> ppp(b, q, capEnd, out, depth + 1);
      default -> etherType(b, q, capEnd, proto, out, depth + 1);
    }
  }

  private static boolean enterTunnel(DecodedPacket out, int kind, int depth) {
    if (depth >= MAX_TUNNEL_DEPTH) {
      out.malformed = Malformed.TUNNEL_DEPTH;
      return false;
    }
    if (out.tunnel == DecodedPacket.TUNNEL_NONE) {
      out.tunnel = kind;
    }
    return true;
  }

  private static int u16(byte[] b, int i) {
    return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
  }

  private static int u32(byte[] b, int i) {
    return ((b[i] & 0xff) << 24)
        | ((b[i + 1] & 0xff) << 16)
        | ((b[i + 2] & 0xff) << 8)
        | (b[i + 3] & 0xff);
  }
}
