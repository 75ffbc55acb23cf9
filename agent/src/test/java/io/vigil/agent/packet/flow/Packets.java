package io.vigil.agent.packet.flow;

import io.vigil.agent.packet.decode.DecodedPacket;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Hand-made decoded packets for the flow tests: what the decoder would fill in. */
final class Packets {
  static final int FIN = 0x01;
  static final int SYN = 0x02;
  static final int RST = 0x04;
  static final int PSH = 0x08;
  static final int ACK = 0x10;

  private Packets() {}

  static byte[] addr(String literal) {
    try {
      return InetAddress.getByName(literal).getAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  static DecodedPacket ip(long tsNs, String src, String dst, int protocol, int ipLength) {
    DecodedPacket p = new DecodedPacket();
    p.reset();
    byte[] s = addr(src);
    byte[] d = addr(dst);
    p.ipVersion = s.length == 4 ? 4 : 6;
    System.arraycopy(s, 0, p.src, 0, s.length);
    System.arraycopy(d, 0, p.dst, 0, d.length);
    p.timestampNs = tsNs;
    p.protocol = protocol;
    p.ipLength = ipLength;
    return p;
  }

  static DecodedPacket tcp(
      long tsNs, String src, int sport, String dst, int dport, int flags, int ipLength) {
    DecodedPacket p = ip(tsNs, src, dst, 6, ipLength);
    p.srcPort = sport;
    p.dstPort = dport;
    p.tcpFlags = flags;
    return p;
  }

  static DecodedPacket udp(long tsNs, String src, int sport, String dst, int dport, int ipLength) {
    DecodedPacket p = ip(tsNs, src, dst, 17, ipLength);
    p.srcPort = sport;
    p.dstPort = dport;
    return p;
  }

  static DecodedPacket icmp(long tsNs, String src, String dst, int type, int code, int ipLength) {
    DecodedPacket p = ip(tsNs, src, dst, src.contains(":") ? 58 : 1, ipLength);
    p.icmpType = type;
    p.icmpCode = code;
    return p;
  }

  static DecodedPacket vlan(DecodedPacket p, int vlanId) {
    p.vlanCount = 1;
    p.vlanId = vlanId;
    return p;
  }

  static long sec(double s) {
    return (long) (s * 1_000_000_000L);
  }
}
