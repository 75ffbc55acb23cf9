package io.vigil.agent.packet.stream;

import io.vigil.agent.packet.decode.DecodedPacket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** Hand-made decoded TCP packets, as the decoder fills them in. */
final class Segments {
  static final int FIN = 0x01;
  static final int SYN = 0x02;
  static final int RST = 0x04;
  static final int PSH = 0x08;
  static final int ACK = 0x10;

  private Segments() {}

  static DecodedPacket tcp(
      long tsNs, String src, int sport, String dst, int dport, int flags, long seq, String data) {
    DecodedPacket p = new DecodedPacket();
    p.reset();
    byte[] s = addr(src);
    byte[] d = addr(dst);
    p.ipVersion = s.length == 4 ? 4 : 6;
    System.arraycopy(s, 0, p.src, 0, s.length);
    System.arraycopy(d, 0, p.dst, 0, d.length);
    p.timestampNs = tsNs;
    p.protocol = 6;
    p.srcPort = sport;
    p.dstPort = dport;
    p.tcpFlags = flags;
    p.tcpSeq = seq & 0xFFFFFFFFL;
    byte[] payload = ("<hdr>" + data).getBytes(StandardCharsets.ISO_8859_1);
    p.payload = payload;
    p.payloadOffset = 5;
    p.payloadLength = data.length();
    p.ipLength = 40 + data.length();
    return p;
  }

  static byte[] addr(String literal) {
    try {
      return InetAddress.getByName(literal).getAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }

  static long sec(double s) {
    return (long) (s * 1_000_000_000L);
  }
}
