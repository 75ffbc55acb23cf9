package io.vigil.agent.packet.dns;

import io.vigil.agent.packet.decode.DecodedPacket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only: the UDP and TCP packets of a classic pcap file as {@link DecodedPacket}s, through a
 * minimal decoder (Ethernet with VLAN tags, null/loopback, raw IP; IPv4 without fragments, IPv6
 * without extension headers). The real decoders live in {@code packet.decode}; this exists so the
 * DNS tests can run on recorded traffic without depending on them.
 */
final class PcapDnsPackets {
  private PcapDnsPackets() {}

  static List<DecodedPacket> read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
    int magic = b.getInt(0);
    boolean nano;
    if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
      b.order(ByteOrder.LITTLE_ENDIAN);
      nano = magic == 0x4d3cb2a1;
    } else if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
      nano = magic == 0xa1b23c4d;
    } else {
      throw new IOException("not a classic pcap: " + file);
    }
    int linkType = b.getInt(20) & 0xffff;
    List<DecodedPacket> out = new ArrayList<>();
    int pos = 24;
    while (pos + 16 <= b.limit()) {
      long sec = b.getInt(pos) & 0xffffffffL;
      long frac = b.getInt(pos + 4) & 0xffffffffL;
      int caplen = b.getInt(pos + 8);
      pos += 16;
      if (caplen < 0 || pos + caplen > b.limit()) {
        break;
      }
      byte[] frame = new byte[caplen];
      System.arraycopy(b.array(), pos, frame, 0, caplen);
      pos += caplen;
      DecodedPacket p = new DecodedPacket();
      p.reset();
      p.timestampNs = sec * 1_000_000_000L + (nano ? frac : frac * 1000);
      if (decode(frame, linkType, p)) {
        out.add(p);
      }
    }
    return out;
  }

  private static int u16(byte[] f, int i) {
    return ((f[i] & 0xff) << 8) | (f[i + 1] & 0xff);
  }

  private static boolean decode(byte[] f, int linkType, DecodedPacket p) {
    int off;
    switch (linkType) {
      case 1 -> {
        off = 12;
        int type = f.length >= 14 ? u16(f, 12) : 0;
        while ((type == 0x8100 || type == 0x88a8) && off + 6 <= f.length) {
          off += 4;
          type = u16(f, off);
        }
        off += 2;
        if (type != 0x0800 && type != 0x86dd) {
          return false;
        }
      }
      case 0 -> off = 4;
      case 101, 228, 229 -> off = 0;
      default -> {
        return false;
      }
    }
    if (off >= f.length) {
      return false;
    }
    int version = (f[off] & 0xff) >>> 4;
    int l4;
    int end;
    if (version == 4 && off + 20 <= f.length) {
      int ihl = (f[off] & 0xf) * 4;
      int frag = u16(f, off + 6);
      if ((frag & 0x3fff) != 0) {
        return false;
      }
      p.ipVersion = 4;
      p.protocol = f[off + 9] & 0xff;
      System.arraycopy(f, off + 12, p.src, 0, 4);
      System.arraycopy(f, off + 16, p.dst, 0, 4);
      l4 = off + ihl;
      end = Math.min(f.length, off + u16(f, off + 2));
    } else if (version == 6 && off + 40 <= f.length) {
      p.ipVersion = 6;
      p.protocol = f[off + 6] & 0xff;
      System.arraycopy(f, off + 8, p.src, 0, 16);
      System.arraycopy(f, off + 24, p.dst, 0, 16);
      l4 = off + 40;
      end = Math.min(f.length, l4 + u16(f, off + 4));
    } else {
      return false;
    }
    int payload;
    if (p.protocol == 17 && l4 + 8 <= end) {
      payload = l4 + 8;
    } else if (p.protocol == 6 && l4 + 20 <= end) {
      payload = l4 + ((f[l4 + 12] & 0xff) >>> 4) * 4;
    } else {
      return false;
    }
    if (payload > end) {
      return false;
    }
    p.srcPort = u16(f, l4);
    p.dstPort = u16(f, l4 + 2);
    p.payload = f;
    p.payloadOffset = payload;
    p.payloadLength = end - payload;
    return true;
  }
}
