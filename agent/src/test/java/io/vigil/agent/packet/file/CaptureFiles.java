package io.vigil.agent.packet.file;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Writes pcap and pcapng bytes for reader tests. */
final class CaptureFiles {
  private CaptureFiles() {}

  /** A classic pcap file being built. */
  static final class Pcap {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteOrder order;

    Pcap(ByteOrder order, boolean nanos, int snaplen, int linkType) {
      this.order = order;
      ByteBuffer h = ByteBuffer.allocate(24).order(order);
      h.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4);
      h.putInt(0).putInt(0).putInt(snaplen).putInt(linkType);
      out.writeBytes(h.array());
    }

    Pcap record(long sec, long frac, byte[] data, int origLen) {
      ByteBuffer h = ByteBuffer.allocate(16).order(order);
      h.putInt((int) sec).putInt((int) frac).putInt(data.length).putInt(origLen);
      out.writeBytes(h.array());
      out.writeBytes(data);
      return this;
    }

    Pcap raw(byte[] bytes) {
      out.writeBytes(bytes);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  /** A pcapng file being built; each section may have its own byte order. */
  static final class Pcapng {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

    Pcapng section(ByteOrder order) {
      this.order = order;
      ByteBuffer b = ByteBuffer.allocate(16).order(order);
      b.putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0).putLong(-1);
      return block(0x0a0d0d0a, b.array());
    }

    /** An IDB; tsresol < 0 leaves the option out, tsoffset 0 too. */
    Pcapng iface(int linkType, int snaplen, int tsresol, long tsoffset) {
      ByteBuffer b = ByteBuffer.allocate(64).order(order);
      b.putShort((short) linkType).putShort((short) 0).putInt(snaplen);
      if (tsresol >= 0) {
        b.putShort((short) 9).putShort((short) 1).put((byte) tsresol).put(new byte[3]);
      }
      if (tsoffset != 0) {
        b.putShort((short) 14).putShort((short) 8).putLong(tsoffset);
      }
      b.putShort((short) 0).putShort((short) 0);
      return block(1, java.util.Arrays.copyOf(b.array(), b.position()));
    }

    Pcapng epb(int iface, long ts, byte[] data, int origLen) {
      ByteBuffer b = ByteBuffer.allocate(20 + pad(data.length)).order(order);
      b.putInt(iface).putInt((int) (ts >>> 32)).putInt((int) ts);
      b.putInt(data.length).putInt(origLen).put(data);
      return block(6, b.array());
    }

    Pcapng opb(int iface, long ts, byte[] data, int origLen) {
      ByteBuffer b = ByteBuffer.allocate(20 + pad(data.length)).order(order);
      b.putShort((short) iface).putShort((short) 0).putInt((int) (ts >>> 32)).putInt((int) ts);
      b.putInt(data.length).putInt(origLen).put(data);
      return block(2, b.array());
    }

    Pcapng spb(byte[] data, int origLen) {
      ByteBuffer b = ByteBuffer.allocate(4 + pad(data.length)).order(order);
      b.putInt(origLen).put(data);
      return block(3, b.array());
    }

    Pcapng block(int type, byte[] body) {
      int len = 12 + pad(body.length);
      ByteBuffer b = ByteBuffer.allocate(len).order(order);
      b.putInt(type).putInt(len).put(body);
      b.position(len - 4);
      b.putInt(len);
      out.writeBytes(b.array());
      return this;
    }

    Pcapng raw(byte[] bytes) {
      out.writeBytes(bytes);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    private static int pad(int n) {
      return (n + 3) & ~3;
    }
  }
}
