package io.vigil.agent.packet.decode;

/**
 * One packet as the decoders understood it, from link layer to transport: a mutable view filled in
 * place for every packet (one instance per capture thread), so that decoding a million packets a
 * second allocates nothing per packet. Every field is reset by {@link #reset} before a packet is
 * decoded; a field the packet does not have keeps its reset value. Not thread-safe.
 *
 * <p>Address bytes are in network order in {@link #src} and {@link #dst}: 4 bytes used for IPv4, 16
 * for IPv6. The transport payload is {@link #payload}[{@link #payloadOffset}, +{@link
 * #payloadLength}), which is the captured packet's own array or, for a reassembled IPv4 datagram,
 * the reassembler's buffer: read it before the next packet is decoded.
 */
public final class DecodedPacket {
  /** {@link #tunnel} values: the packet was carried inside one of these (outermost counted). */
  public static final int TUNNEL_NONE = 0;

  public static final int TUNNEL_GRE = 1;
  public static final int TUNNEL_VXLAN = 2;
  public static final int TUNNEL_ERSPAN = 3;

  /** Carried in Geneve (UDP 6081, RFC 8926). */
  public static final int TUNNEL_GENEVE = 4;

  /** Capture time, UTC nanoseconds since the epoch. */
  public long timestampNs;

  /** The pcap link type (DLT/LINKTYPE number) the frame was decoded as. */
  public int linkType;

  /** Bytes captured, and bytes on the wire (more when the snap length cut the packet). */
  public int capturedLength;

  public int originalLength;

  /** 802.1Q/802.1ad tags seen (0, 1 for 802.1Q, 2 for QinQ, ...), and the outermost VLAN id. */
  public int vlanCount;

  public int vlanId;

  /** The outermost tunnel the packet was carried in ({@code TUNNEL_*}), decoded through. */
  public int tunnel;

  /** 4 or 6; 0 when the frame holds no IP packet (ARP, LLDP, ...): not an error. */
  public int ipVersion;

  public final byte[] src = new byte[16];
  public final byte[] dst = new byte[16];

  /**
   * The IP datagram's length as sent (header and payload, from the IP header; for a reassembled
   * IPv4 datagram its whole length): what flows count as bytes.
   */
  public int ipLength;

  /** The IP protocol of the transport header (after IPv6 extension headers): 6, 17, 1, 58, ... */
  public int protocol;

  /** TCP and UDP ports; 0 for other protocols. */
  public int srcPort;

  public int dstPort;

  /** ICMP/ICMPv6 type and code; -1 when not ICMP. */
  public int icmpType;

  public int icmpCode;

  /** TCP flags byte (FIN 0x01 ... CWR 0x80), sequence and acknowledgement numbers (unsigned). */
  public int tcpFlags;

  public long tcpSeq;
  public long tcpAck;

  /** The transport payload (see the class comment). */
  public byte[] payload;

  public int payloadOffset;
  public int payloadLength;

  /**
   * True when this packet is an IPv4 or IPv6 fragment that did not complete a datagram: its
   * addresses and protocol are set, its ports and payload are not (they live in the first fragment,
   * and the datagram is reported when it completes).
   */
  public boolean fragment;

  /** Why the packet could not be decoded fully; null when it was. */
  public Malformed malformed;

  /** Clears every field for the next packet. */
  public void reset() {
    timestampNs = 0;
    linkType = 0;
    capturedLength = 0;
    originalLength = 0;
    vlanCount = 0;
    vlanId = 0;
    tunnel = TUNNEL_NONE;
    ipVersion = 0;
    ipLength = 0;
    protocol = 0;
    srcPort = 0;
    dstPort = 0;
    icmpType = -1;
    icmpCode = -1;
    tcpFlags = 0;
    tcpSeq = 0;
    tcpAck = 0;
    payload = null;
    payloadOffset = 0;
    payloadLength = 0;
    fragment = false;
    malformed = null;
  }

  /** Address length in bytes: 4 for IPv4, 16 for IPv6, 0 when not IP. */
  public int addressLength() {
    return ipVersion == 4 ? 4 : ipVersion == 6 ? 16 : 0;
  }
}
