package io.vigil.agent.packet.quic;

import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.agent.packet.decode.PacketDecoder;
import io.vigil.agent.packet.file.CaptureFileReader;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test-only: UDP payloads out of a capture file, through the real capture reader and packet
 * decoder.
 */
final class UdpDatagrams {
  /** One UDP datagram's endpoints and payload (copied out of the decoder's buffer). */
  record Datagram(InetAddress src, int srcPort, InetAddress dst, int dstPort, byte[] payload) {}

  private UdpDatagrams() {}

  /** Every whole (unfragmented or reassembled) UDP datagram of the file, in file order. */
  static List<Datagram> read(Path file) throws IOException {
    List<Datagram> out = new ArrayList<>();
    CaptureFileReader reader = new CaptureFileReader();
    PacketDecoder decoder = new PacketDecoder();
    DecodedPacket p = new DecodedPacket();
    reader.read(
        file,
        (buf, off, len, linkType, ts, orig) -> {
          if (decoder.decode(buf, off, len, linkType, ts, orig, p)
              && p.protocol == 17
              && !p.fragment) {
            int n = p.addressLength();
            out.add(
                new Datagram(
                    address(Arrays.copyOf(p.src, n)),
                    p.srcPort,
                    address(Arrays.copyOf(p.dst, n)),
                    p.dstPort,
                    Arrays.copyOfRange(
                        p.payload, p.payloadOffset, p.payloadOffset + p.payloadLength)));
          }
        });
    return out;
  }

  /** The payloads {@code src:srcPort} sent to {@code dst:dstPort}, in file order. */
  static List<byte[]> sent(
      List<Datagram> all, InetAddress src, int srcPort, InetAddress dst, int dstPort) {
    List<byte[]> out = new ArrayList<>();
    for (Datagram d : all) {
      if (d.src().equals(src)
          && d.srcPort() == srcPort
          && d.dst().equals(dst)
          && d.dstPort() == dstPort) {
        out.add(d.payload());
      }
    }
    return out;
  }

  private static InetAddress address(byte[] raw) {
    try {
      return InetAddress.getByAddress(raw);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
