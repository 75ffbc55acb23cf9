package io.vigil.agent.packet.decode;

import static io.vigil.agent.packet.decode.Frames.V4_DST;
import static io.vigil.agent.packet.decode.Frames.V4_SRC;
import static io.vigil.agent.packet.decode.Frames.V6_DST;
import static io.vigil.agent.packet.decode.Frames.V6_SRC;
import static io.vigil.agent.packet.decode.Frames.ah;
import static io.vigil.agent.packet.decode.Frames.bytes;
import static io.vigil.agent.packet.decode.Frames.concat;
import static io.vigil.agent.packet.decode.Frames.ethernet;
import static io.vigil.agent.packet.decode.Frames.ext;
import static io.vigil.agent.packet.decode.Frames.filled;
import static io.vigil.agent.packet.decode.Frames.fragment6;
import static io.vigil.agent.packet.decode.Frames.gre;
import static io.vigil.agent.packet.decode.Frames.icmp;
import static io.vigil.agent.packet.decode.Frames.ipv4;
import static io.vigil.agent.packet.decode.Frames.ipv6;
import static io.vigil.agent.packet.decode.Frames.put16;
import static io.vigil.agent.packet.decode.Frames.tagged;
import static io.vigil.agent.packet.decode.Frames.tcp;
import static io.vigil.agent.packet.decode.Frames.udp;
import static io.vigil.agent.packet.decode.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PacketDecoderTest {
  private final PacketDecoder decoder = new PacketDecoder();
  private final DecodedPacket out = new DecodedPacket();

  private static final byte[] HELLO = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private boolean decode(byte[] frame, int linkType) {
    return decoder.decode(frame, 0, frame.length, linkType, 123_456_789L, frame.length + 7, out);
  }

  private void assertHello() {
    assertEquals(HELLO.length, out.payloadLength);
    assertArrayEquals(
        HELLO, Arrays.copyOfRange(out.payload, out.payloadOffset, out.payloadOffset + 5));
  }

  private void assertV4Udp(int sport, int dport) {
    assertNull(out.malformed);
    assertEquals(4, out.ipVersion);
    assertArrayEquals(V4_SRC, Arrays.copyOf(out.src, 4));
    assertArrayEquals(V4_DST, Arrays.copyOf(out.dst, 4));
    assertEquals(17, out.protocol);
    assertEquals(sport, out.srcPort);
    assertEquals(dport, out.dstPort);
  }

  @Test
  void ethernetIpv4TcpFields() {
    byte[] seg = tcp(40000, 443, 0xfffffff0L, 0x80000001L, 0x18, HELLO);
    byte[] frame = ethernet(0x0800, ipv4(6, seg));
    assertTrue(decode(frame, LinkType.ETHERNET));
    assertNull(out.malformed);
    assertEquals(123_456_789L, out.timestampNs);
    assertEquals(LinkType.ETHERNET, out.linkType);
    assertEquals(frame.length, out.capturedLength);
    assertEquals(frame.length + 7, out.originalLength);
    assertEquals(4, out.ipVersion);
    assertEquals(4, out.addressLength());
    assertArrayEquals(V4_SRC, Arrays.copyOf(out.src, 4));
    assertEquals(20 + 20 + 5, out.ipLength);
    assertEquals(6, out.protocol);
    assertEquals(40000, out.srcPort);
    assertEquals(443, out.dstPort);
    assertEquals(0xfffffff0L, out.tcpSeq);
    assertEquals(0x80000001L, out.tcpAck);
    assertEquals(0x18, out.tcpFlags);
    assertEquals(-1, out.icmpType);
    assertEquals(0, out.vlanCount);
    assertEquals(DecodedPacket.TUNNEL_NONE, out.tunnel);
    assertFalse(out.fragment);
    assertSame(frame, out.payload);
    assertEquals(14 + 40, out.payloadOffset);
    assertHello();
  }

  @Test
  void ethernetPaddingIsNotPayload() {
    byte[] frame = concat(ethernet(0x0800, ipv4(17, udp(1, 2, HELLO))), new byte[17]);
    assertTrue(decode(frame, LinkType.ETHERNET));
    assertHello();
    assertEquals(33, out.ipLength);
  }

  @Test
  void ipv4OptionsAreSkipped() {
    for (int opt = 4; opt <= 40; opt += 4) {
      byte[] frame = ethernet(0x0800, ipv4(17, 1, 0, opt, udp(53, 5353, HELLO)));
      assertTrue(decode(frame, LinkType.ETHERNET), "options " + opt);
      assertV4Udp(53, 5353);
      assertEquals(20 + opt + 13, out.ipLength);
      assertHello();
    }
  }

  @Test
  void vlanAndQinQStacks() {
    byte[] ip = ipv4(17, udp(1, 2, HELLO));
    assertTrue(decode(tagged(new int[] {0x8100}, new int[] {0x2064}, 0x0800, ip), 1));
    assertEquals(1, out.vlanCount);
    assertEquals(100, out.vlanId); // priority bits masked off
    assertV4Udp(1, 2);
    assertTrue(decode(tagged(new int[] {0x88a8, 0x8100}, new int[] {300, 7}, 0x0800, ip), 1));
    assertEquals(2, out.vlanCount);
    assertEquals(300, out.vlanId);
    assertV4Udp(1, 2);
    int[] eight = new int[8];
    Arrays.fill(eight, 0x9100);
    assertTrue(decode(tagged(eight, new int[8], 0x86dd, ipv6(17, udp(1, 2, HELLO))), 1));
    assertEquals(8, out.vlanCount);
    assertEquals(6, out.ipVersion);
    int[] nine = new int[9];
    Arrays.fill(nine, 0x8100);
    assertFalse(decode(tagged(nine, new int[9], 0x0800, ip), 1));
    assertEquals(Malformed.BAD_HEADER, out.malformed);
    byte[] cut = tagged(new int[] {0x8100, 0x8100}, new int[] {1, 2}, 0x0800, ip);
    assertFalse(decoder.decode(cut, 0, 18, 1, 0, 18, out));
    assertEquals(Malformed.TRUNCATED, out.malformed);
  }

  @Test
  void nonIpFramesAreNotErrors() {
    assertFalse(decode(ethernet(0x0806, new byte[28]), LinkType.ETHERNET));
    assertNull(out.malformed);
    assertEquals(0, out.ipVersion);
    assertFalse(decode(ethernet(0x0026, new byte[38]), LinkType.ETHERNET)); // 802.3 length
    assertNull(out.malformed);
    assertFalse(decode(new byte[13], LinkType.ETHERNET));
    assertEquals(Malformed.TRUNCATED, out.malformed);
  }

  @Test
  void loopbackFamiliesInEitherByteOrder() {
    byte[] v4 = ipv4(17, udp(1, 2, HELLO));
    byte[] v6 = ipv6(17, udp(1, 2, HELLO));
    assertTrue(decode(concat(bytes(2, 0, 0, 0), v4), LinkType.NULL)); // little-endian host
    assertEquals(4, out.ipVersion);
    assertTrue(decode(concat(bytes(0, 0, 0, 2), v4), LinkType.LOOP));
    assertEquals(4, out.ipVersion);
    for (int family : new int[] {24, 28, 30}) {
      assertTrue(decode(concat(bytes(family, 0, 0, 0), v6), LinkType.NULL));
      assertEquals(6, out.ipVersion);
      assertTrue(decode(concat(bytes(0, 0, 0, family), v6), LinkType.LOOP));
      assertEquals(6, out.ipVersion);
      assertArrayEquals(V6_DST, out.dst);
    }
    assertFalse(decode(concat(bytes(7, 0, 0, 0), v4), LinkType.NULL));
    assertNull(out.malformed);
    assertFalse(decode(bytes(2, 0, 0), LinkType.NULL));
    assertEquals(Malformed.TRUNCATED, out.malformed);
  }

  @Test
  void rawIpLinkTypes() {
    byte[] v4 = ipv4(17, udp(1, 2, HELLO));
    byte[] v6 = ipv6(17, udp(1, 2, HELLO));
    for (int lt : new int[] {LinkType.RAW, LinkType.RAW_12, LinkType.RAW_14}) {
      assertTrue(decode(v4, lt));
      assertV4Udp(1, 2);
      assertTrue(decode(v6, lt));
      assertEquals(6, out.ipVersion);
      assertFalse(decode(bytes(0x50, 0, 0, 0), lt));
      assertEquals(Malformed.BAD_IP_VERSION, out.malformed);
    }
    assertTrue(decode(v4, LinkType.IPV4));
    assertFalse(decode(v6, LinkType.IPV4));
    assertEquals(Malformed.BAD_IP_VERSION, out.malformed);
    assertTrue(decode(v6, LinkType.IPV6));
    assertArrayEquals(V6_SRC, out.src);
    assertEquals(16, out.addressLength());
    assertFalse(decode(v4, LinkType.IPV6));
    assertEquals(Malformed.BAD_IP_VERSION, out.malformed);
    assertFalse(decode(new byte[0], LinkType.RAW));
    assertEquals(Malformed.TRUNCATED, out.malformed);
  }

  @Test
  void linuxCookedAndCiscoHdlc() {
    byte[] v4 = ipv4(17, udp(1, 2, HELLO));
    byte[] sll = new byte[16];
    put16(sll, 14, 0x0800);
    assertTrue(decode(concat(sll, v4), LinkType.LINUX_SLL));
    assertV4Udp(1, 2);
    byte[] sll2 = new byte[20];
    put16(sll2, 0, 0x86dd);
    assertTrue(decode(concat(sll2, ipv6(17, udp(1, 2, HELLO))), LinkType.LINUX_SLL2));
    assertEquals(6, out.ipVersion);
    assertFalse(decode(new byte[19], LinkType.LINUX_SLL2));
    assertEquals(Malformed.TRUNCATED, out.malformed);
    assertTrue(decode(concat(bytes(0x0f, 0, 0x08, 0x00), v4), LinkType.C_HDLC));
    assertV4Udp(1, 2);
  }

  @Test
  void unsupportedLinkType() {
    assertFalse(decode(ipv4(17, udp(1, 2, HELLO)), 105));
    assertEquals(Malformed.UNSUPPORTED_LINK_TYPE, out.malformed);
    assertFalse(LinkType.supported(105));
    assertTrue(LinkType.supported(LinkType.LINUX_SLL2));
  }

  @Test
  void mplsAndPppoe() {
    byte[] v4 = ipv4(17, udp(1, 2, HELLO));
    byte[] labels = bytes(0, 0x10, 0x00, 64, 0, 0x20, 0x01, 64); // two labels, bottom set on 2nd
    assertTrue(decode(ethernet(0x8847, concat(labels, v4)), 1));
    assertV4Udp(1, 2);
    byte[] pppoe = bytes(0x11, 0, 0, 1, 0, 0, 0x00, 0x21);
    put16(pppoe, 4, v4.length + 2);
    assertTrue(decode(ethernet(0x8864, concat(pppoe, v4)), 1));
    assertV4Udp(1, 2);
  }

  @Test
  void ipv6ExtensionChain() {
    byte[] payload =
        concat(
            ext(43, 8), // hop-by-hop → routing
            ext(60, 24), // routing → destination options
            ext(51, 16), // destination options → AH
            ah(17, 24), // AH → UDP
            udp(5000, 53, HELLO));
    assertTrue(decode(ethernet(0x86dd, ipv6(0, payload)), 1));
    assertNull(out.malformed);
    assertEquals(6, out.ipVersion);
    assertEquals(17, out.protocol);
    assertEquals(5000, out.srcPort);
    assertEquals(53, out.dstPort);
    assertEquals(40 + payload.length, out.ipLength);
    assertHello();
  }

  @Test
  void ipv6NoNextHeaderAndAtomicFragment() {
    assertTrue(decode(ipv6(60, concat(ext(59, 8), filled(4, 9))), LinkType.RAW));
    assertEquals(59, out.protocol);
    assertEquals(0, out.payloadLength);
    assertTrue(decode(ipv6(44, concat(fragment6(17, 0, false, 9), udp(7, 8, HELLO))), 101));
    assertFalse(out.fragment);
    assertEquals(17, out.protocol);
    assertEquals(7, out.srcPort);
  }

  @Test
  void ipv6ExtensionHeaderBound() {
    byte[] chain = udp(1, 2, HELLO);
    for (int i = 0; i < PacketDecoder.MAX_IPV6_EXTENSION_HEADERS; i++) {
      chain = concat(ext(i == 0 ? 17 : 60, 8), chain);
    }
    assertTrue(decode(ipv6(60, chain), LinkType.RAW));
    assertEquals(2, out.dstPort);
    assertFalse(decode(ipv6(60, concat(ext(60, 8), chain)), LinkType.RAW));
    assertEquals(Malformed.EXTENSION_HEADERS, out.malformed);
    // An extension header longer than the packet says it is.
    byte[] longExt = ext(17, 8);
    longExt[1] = 10;
    assertFalse(decode(ipv6(0, concat(longExt, udp(1, 2, HELLO))), LinkType.RAW));
    assertEquals(Malformed.BAD_HEADER, out.malformed);
  }

  @Test
  void udpAndIcmpFields() {
    assertTrue(decode(ipv4(1, icmp(8, 0, HELLO)), LinkType.RAW));
    assertEquals(8, out.icmpType);
    assertEquals(0, out.icmpCode);
    assertEquals(0, out.srcPort);
    assertHello();
    assertTrue(decode(ipv6(58, icmp(135, 0, HELLO)), LinkType.RAW));
    assertEquals(135, out.icmpType);
    assertEquals(58, out.protocol);
    assertTrue(decode(ipv4(1, icmp(3, 13, new byte[0])), LinkType.RAW));
    assertEquals(3, out.icmpType);
    assertEquals(13, out.icmpCode);
    byte[] shortUdp = udp(1, 2, HELLO);
    put16(shortUdp, 4, 7);
    assertFalse(decode(ipv4(17, shortUdp), LinkType.RAW));
    assertEquals(Malformed.BAD_HEADER, out.malformed);
    byte[] longUdp = udp(1, 2, HELLO);
    put16(longUdp, 4, 500); // past the IP payload: clamped
    assertTrue(decode(ipv4(17, longUdp), LinkType.RAW));
    assertHello();
  }

  @Test
  void tcpHeaderProblems() {
    byte[] seg = tcp(1, 2, 3, 4, 0x02, HELLO);
    seg[12] = 4 << 4;
    assertFalse(decode(ipv4(6, seg), LinkType.RAW));
    assertEquals(Malformed.BAD_TCP_HEADER, out.malformed);
    assertEquals(1, out.srcPort); // fields before the problem are kept
    seg[12] = (byte) (15 << 4); // 60 bytes of header in a 25-byte segment
    assertFalse(decode(ipv4(6, seg), LinkType.RAW));
    assertEquals(Malformed.BAD_TCP_HEADER, out.malformed);
    byte[] ip = ipv4(6, tcp(1, 2, 3, 4, 0x10, HELLO));
    assertFalse(decoder.decode(ip, 0, 30, LinkType.RAW, 0, ip.length, out)); // snap length cut
    assertEquals(Malformed.TRUNCATED, out.malformed);
    assertEquals(4, out.ipVersion);
    assertEquals(45, out.ipLength);
    assertTrue(decoder.decode(ip, 0, 42, LinkType.RAW, 0, ip.length, out)); // payload cut only
    assertEquals(2, out.payloadLength);
  }

  @Test
  void ipv4HeaderProblems() {
    byte[] ip = ipv4(17, udp(1, 2, HELLO));
    ip[0] = 0x44;
    assertFalse(decode(ip, LinkType.RAW));
    assertEquals(Malformed.BAD_HEADER, out.malformed);
    ip = ipv4(17, udp(1, 2, HELLO));
    put16(ip, 2, 19);
    assertFalse(decode(ip, LinkType.RAW));
    assertEquals(Malformed.BAD_HEADER, out.malformed);
    ip = ipv4(17, 1, 0, 8, udp(1, 2, HELLO));
    assertFalse(decoder.decode(ip, 0, 24, LinkType.RAW, 0, 24, out));
    assertEquals(Malformed.TRUNCATED, out.malformed);
    ip = ipv4(6, tcp(1, 2, 3, 4, 0x10, HELLO));
    put16(ip, 2, 0); // segmentation offload: total length left 0
    assertTrue(decode(ip, LinkType.RAW));
    assertEquals(45, out.ipLength);
    assertHello();
  }

  @Test
  void boundsOfTheCallerArrayAreChecked() {
    byte[] frame = ethernet(0x0800, ipv4(17, udp(1, 2, HELLO)));
    assertFalse(decoder.decode(frame, 10, frame.length, 1, 0, 0, out));
    assertEquals(Malformed.TRUNCATED, out.malformed);
    assertFalse(decoder.decode(null, 0, 0, 1, 0, 0, out));
    assertFalse(decoder.decode(frame, -1, 4, 1, 0, 0, out));
    byte[] shifted = concat(new byte[3], frame);
    assertTrue(decoder.decode(shifted, 3, frame.length, 1, 0, 0, out));
    assertEquals(3 + 14 + 28, out.payloadOffset);
  }

  @Test
  void greCarriesIpAndEthernet() {
    byte[] inner = ipv4(17, udp(11, 22, HELLO));
    for (int flags : new int[] {0, 0x8000, 0x2000, 0x1000, 0xb000}) {
      byte[] outer = ethernet(0x0800, ipv4(47, gre(flags, 0x0800, inner)));
      assertTrue(decode(outer, 1), "flags " + Integer.toHexString(flags));
      assertEquals(DecodedPacket.TUNNEL_GRE, out.tunnel);
      assertV4Udp(11, 22);
      assertEquals(inner.length, out.ipLength);
      assertHello();
    }
    byte[] bridged = ipv6(47, gre(0x2000, 0x6558, ethernet(0x86dd, ipv6(17, udp(3, 4, HELLO)))));
    assertTrue(decode(bridged, LinkType.RAW));
    assertEquals(DecodedPacket.TUNNEL_GRE, out.tunnel);
    assertEquals(6, out.ipVersion);
    assertEquals(3, out.srcPort);
    // PPTP's enhanced GRE (version 1) with sequence and acknowledgement carrying PPP.
    byte[] pptp = gre(0x3081, 0x880b, concat(bytes(0xff, 0x03, 0x00, 0x21), inner));
    assertTrue(decode(ipv4(47, pptp), LinkType.RAW));
    assertV4Udp(11, 22);
    assertEquals(DecodedPacket.TUNNEL_GRE, out.tunnel);
    // GRE carrying something that is not IP is reported as the GRE packet itself.
    assertTrue(decode(ipv4(47, gre(0, 0x0806, new byte[28])), LinkType.RAW));
    assertEquals(47, out.protocol);
    assertEquals(DecodedPacket.TUNNEL_GRE, out.tunnel);
    assertEquals(32, out.payloadLength);
  }

  @Test
  void erspanTypes() {
    byte[] innerFrame = ethernet(0x0800, ipv4(17, udp(11, 22, HELLO)));
    byte[] type2 = gre(0x1000, 0x88be, concat(filled(8, 0x10), innerFrame));
    assertTrue(decode(ethernet(0x0800, ipv4(47, type2)), 1));
    assertEquals(DecodedPacket.TUNNEL_ERSPAN, out.tunnel);
    assertV4Udp(11, 22);
    byte[] type1 = gre(0, 0x88be, innerFrame);
    assertTrue(decode(ethernet(0x0800, ipv4(47, type1)), 1));
    assertV4Udp(11, 22);
    byte[] header3 = filled(12, 0x20);
    header3[11] = 0x00;
    assertTrue(decode(ipv4(47, gre(0x1000, 0x22eb, concat(header3, innerFrame))), 101));
    assertEquals(DecodedPacket.TUNNEL_ERSPAN, out.tunnel);
    assertV4Udp(11, 22);
    header3[11] = 0x01; // O flag: an 8-byte platform subheader follows
    byte[] withSub = gre(0x1000, 0x22eb, concat(header3, filled(8, 0x30), innerFrame));
    assertTrue(decode(ipv4(47, withSub), 101));
    assertV4Udp(11, 22);
    assertHello();
  }

  @Test
  void vxlanAndOutermostTunnel() {
    byte[] innerFrame = ethernet(0x0800, ipv4(1, icmp(8, 0, HELLO)));
    byte[] outer = ethernet(0x0800, ipv4(17, udp(50000, 4789, vxlan(innerFrame))));
    assertTrue(decode(outer, 1));
    assertEquals(DecodedPacket.TUNNEL_VXLAN, out.tunnel);
    assertEquals(1, out.protocol);
    assertEquals(8, out.icmpType);
    assertEquals(0, out.srcPort); // the outer UDP ports do not leak into the inner packet
    assertEquals(0, out.dstPort);
    assertHello();
    // GRE inside VXLAN: the outermost tunnel is reported.
    byte[] greInVxlan =
        ethernet(
            0x0800,
            ipv4(
                17,
                udp(
                    1,
                    4789,
                    vxlan(
                        ethernet(0x0800, ipv4(47, gre(0, 0x0800, ipv4(17, udp(5, 6, HELLO)))))))));
    assertTrue(decode(greInVxlan, 1));
    assertEquals(DecodedPacket.TUNNEL_VXLAN, out.tunnel);
    assertEquals(6, out.dstPort);
    // Without the I flag it is not VXLAN: plain UDP to 4789.
    byte[] notVxlan = vxlan(innerFrame);
    notVxlan[0] = 0;
    assertTrue(decode(ipv4(17, udp(1, 4789, notVxlan)), 101));
    assertEquals(DecodedPacket.TUNNEL_NONE, out.tunnel);
    assertEquals(4789, out.dstPort);
  }

  @Test
  void geneveCarriesEthernetOrIpAfterItsOptions() {
    byte[] innerFrame = ethernet(0x0800, ipv4(17, udp(7, 8, HELLO)));
    assertTrue(decode(ipv4(17, udp(50000, 6081, Frames.geneve(0x6558, 2, innerFrame))), 101));
    assertEquals(DecodedPacket.TUNNEL_GENEVE, out.tunnel);
    assertEquals(8, out.dstPort);
    assertHello();
    // IP directly after the header (protocol type 0x0800), GRE inside as in real captures
    byte[] greInside = ipv4(47, gre(0, 0x0800, ipv4(17, udp(5, 6, HELLO))));
    assertTrue(decode(ipv4(17, udp(1, 6081, Frames.geneve(0x0800, 0, greInside))), 101));
    assertEquals(DecodedPacket.TUNNEL_GENEVE, out.tunnel);
    assertEquals(6, out.dstPort);
    // options longer than the datagram: truncated, not read past the end
    byte[] cut = Frames.geneve(0x6558, 63, innerFrame);
    assertFalse(decode(ipv4(17, udp(1, 6081, java.util.Arrays.copyOf(cut, 40))), 101));
    assertEquals(Malformed.TRUNCATED, out.malformed);
    // a version other than 0 is not Geneve: plain UDP to 6081
    byte[] v1 = Frames.geneve(0x6558, 0, innerFrame);
    v1[0] = 0x40;
    assertTrue(decode(ipv4(17, udp(1, 6081, v1)), 101));
    assertEquals(DecodedPacket.TUNNEL_NONE, out.tunnel);
  }

  @Test
  void tunnelDepthIsBounded() {
    byte[] p = ipv4(17, udp(1, 2, HELLO));
    for (int i = 0; i < PacketDecoder.MAX_TUNNEL_DEPTH; i++) {
      p = ipv4(47, gre(0, 0x0800, p));
    }
    assertTrue(decode(p, 101));
    assertEquals(2, out.dstPort);
    assertFalse(decode(ipv4(47, gre(0, 0x0800, p)), 101));
    assertEquals(Malformed.TUNNEL_DEPTH, out.malformed);
  }

  @Test
  void everyFieldIsResetBetweenPackets() {
    assertTrue(
        decode(
            tagged(new int[] {0x8100}, new int[] {5}, 0x0800, ipv4(6, tcp(1, 2, 3, 4, 2, HELLO))),
            1));
    assertFalse(decode(ethernet(0x0806, new byte[28]), 1));
    assertEquals(0, out.vlanCount);
    assertEquals(0, out.srcPort);
    assertEquals(0, out.tcpFlags);
    assertNull(out.payload);
  }
}
