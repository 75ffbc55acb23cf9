package io.vigil.agent.packet.decode;

import java.io.ByteArrayOutputStream;

/**
 * Builds frames byte by byte for decoder tests: addresses are 10.0.0.1 → 10.0.0.2 and 2001:db8::1 →
 * 2001:db8::2 unless given; checksums are left zero (the decoder does not verify them).
 */
final class Frames {
  private Frames() {}

  static final byte[] V4_SRC = {10, 0, 0, 1};
  static final byte[] V4_DST = {10, 0, 0, 2};
  static final byte[] V6_SRC = v6(1);
  static final byte[] V6_DST = v6(2);

  static byte[] v6(int last) {
    byte[] a = new byte[16];
    a[0] = 0x20;
    a[1] = 0x01;
    a[2] = 0x0d;
    a[3] = (byte) 0xb8;
    a[15] = (byte) last;
    return a;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) value);
    return b;
  }

  static void put16(byte[] b, int i, int v) {
    b[i] = (byte) (v >> 8);
    b[i + 1] = (byte) v;
  }

  static void put32(byte[] b, int i, long v) {
    b[i] = (byte) (v >> 24);
    b[i + 1] = (byte) (v >> 16);
    b[i + 2] = (byte) (v >> 8);
    b[i + 3] = (byte) v;
  }

  static byte[] tcp(int sport, int dport, long seq, long ack, int flags, byte[] payload) {
    byte[] h = new byte[20];
    put16(h, 0, sport);
    put16(h, 2, dport);
    put32(h, 4, seq);
    put32(h, 8, ack);
    h[12] = 5 << 4;
    h[13] = (byte) flags;
    put16(h, 14, 65535);
    return concat(h, payload);
  }

  static byte[] udp(int sport, int dport, byte[] payload) {
    byte[] h = new byte[8];
    put16(h, 0, sport);
    put16(h, 2, dport);
    put16(h, 4, 8 + payload.length);
    return concat(h, payload);
  }

  static byte[] icmp(int type, int code, byte[] rest) {
    byte[] h = new byte[8];
    h[0] = (byte) type;
    h[1] = (byte) code;
    return concat(h, rest);
  }

  /** IPv4 with the given options length (a multiple of 4), id and flags/fragment-offset field. */
  static byte[] ipv4(int proto, int id, int fragField, int optionBytes, byte[] payload) {
    int ihl = 20 + optionBytes;
    byte[] h = new byte[ihl];
    h[0] = (byte) (0x40 | (ihl / 4));
    put16(h, 2, ihl + payload.length);
    put16(h, 4, id);
    put16(h, 6, fragField);
    h[8] = 64;
    h[9] = (byte) proto;
    System.arraycopy(V4_SRC, 0, h, 12, 4);
    System.arraycopy(V4_DST, 0, h, 16, 4);
    for (int i = 20; i < ihl; i++) {
      h[i] = 1; // NOP options
    }
    return concat(h, payload);
  }

  static byte[] ipv4(int proto, byte[] payload) {
    return ipv4(proto, 1, 0x4000, 0, payload);
  }

  static byte[] ipv6(int nextHeader, byte[] payload) {
    byte[] h = new byte[40];
    h[0] = 0x60;
    put16(h, 4, payload.length);
    h[6] = (byte) nextHeader;
    h[7] = 64;
    System.arraycopy(V6_SRC, 0, h, 8, 16);
    System.arraycopy(V6_DST, 0, h, 24, 16);
    return concat(h, payload);
  }

  /** A hop-by-hop, routing or destination options header of n bytes (a multiple of 8). */
  static byte[] ext(int next, int n) {
    byte[] h = new byte[n];
    h[0] = (byte) next;
    h[1] = (byte) (n / 8 - 1);
    return h;
  }

  /** An authentication header of n bytes (a multiple of 4, at least 12). */
  static byte[] ah(int next, int n) {
    byte[] h = new byte[n];
    h[0] = (byte) next;
    h[1] = (byte) (n / 4 - 2);
    return h;
  }

  static byte[] fragment6(int next, int offset, boolean more, int id) {
    byte[] h = new byte[8];
    h[0] = (byte) next;
    put16(h, 2, offset | (more ? 1 : 0));
    put32(h, 4, id);
    return h;
  }

  static byte[] ethernet(int type, byte[] payload) {
    byte[] h = new byte[14];
    h[0] = 2;
    h[6] = 2;
    h[11] = 1;
    put16(h, 12, type);
    return concat(h, payload);
  }

  /** Ethernet with tags: tpids[i] and vids[i] outermost first. */
  static byte[] tagged(int[] tpids, int[] vids, int type, byte[] payload) {
    byte[] h = new byte[12 + 4 * tpids.length + 2];
    for (int i = 0; i < tpids.length; i++) {
      put16(h, 12 + 4 * i, tpids[i]);
      put16(h, 14 + 4 * i, vids[i]);
    }
    put16(h, h.length - 2, type);
    return concat(h, payload);
  }

  /** GRE with the given flags word (C/K/S bits, version) and protocol; optional fields zero. */
  static byte[] gre(int flags, int proto, byte[] payload) {
    int n = 4;
    if ((flags & 7) == 1) {
      n += 4 + ((flags & 0x1000) != 0 ? 4 : 0) + ((flags & 0x0080) != 0 ? 4 : 0);
    } else {
      n += ((flags & 0x8000) != 0 ? 4 : 0) + ((flags & 0x2000) != 0 ? 4 : 0);
      n += (flags & 0x1000) != 0 ? 4 : 0;
    }
    byte[] h = filled(n, 0x5a);
    put16(h, 0, flags);
    put16(h, 2, proto);
    return concat(h, payload);
  }

  static byte[] vxlan(byte[] innerFrame) {
    byte[] h = new byte[8];
    h[0] = 0x08;
    h[6] = 0x12; // VNI 0x000012
    return concat(h, innerFrame);
  }

  /** A Geneve header (version 0) with {@code optionWords} 4-byte words of options, then payload. */
  static byte[] geneve(int protocolType, int optionWords, byte[] payload) {
    byte[] h = new byte[8 + optionWords * 4];
    h[0] = (byte) optionWords;
    put16(h, 2, protocolType);
    h[6] = 0x34; // VNI 0x000034
    for (int i = 8; i < h.length; i++) {
      h[i] = (byte) 0xab; // option bytes, skipped
    }
    return concat(h, payload);
  }
}
