package io.vigil.agent.packet.stream;

import io.vigil.agent.packet.IpText;
import io.vigil.agent.packet.decode.DecodedPacket;

/**
 * The direction-free key of a TCP connection, as the flow table keys flows: IP version, outer VLAN
 * id and the two endpoints in sorted order (A before B), so both directions find the same key;
 * {@link #forward} says whether the packet went from A to B. Used as a mutable probe (refilled per
 * packet, nothing allocated) and copied once when a connection is created.
 */
final class ConnKey {
  int ipVersion;
  int vlanId;
  long aHi;
  long aLo;
  long bHi;
  long bLo;
  int portA;
  int portB;
  boolean forward;
  private int hash;

  void set(DecodedPacket p) {
    long sHi = 0;
    long dHi = 0;
    long sLo;
    long dLo;
    if (p.ipVersion == 4) {
      sLo = int32(p.src, 0) & 0xFFFFFFFFL;
      dLo = int32(p.dst, 0) & 0xFFFFFFFFL;
    } else {
      sHi = int64(p.src, 0);
      sLo = int64(p.src, 8);
      dHi = int64(p.dst, 0);
      dLo = int64(p.dst, 8);
    }
    int c = Long.compareUnsigned(sHi, dHi);
    if (c == 0) {
      c = Long.compareUnsigned(sLo, dLo);
    }
    if (c == 0) {
      c = Integer.compare(p.srcPort, p.dstPort);
    }
    forward = c <= 0;
    ipVersion = p.ipVersion;
    vlanId = p.vlanId;
    if (forward) {
      aHi = sHi;
      aLo = sLo;
      bHi = dHi;
      bLo = dLo;
      portA = p.srcPort;
      portB = p.dstPort;
    } else {
      aHi = dHi;
      aLo = dLo;
      bHi = sHi;
      bLo = sLo;
      portA = p.dstPort;
      portB = p.srcPort;
    }
    long m = 0x9E3779B97F4A7C15L;
    long h = aHi;
    h = h * m + aLo;
    h = h * m + bHi;
    h = h * m + bLo;
    h = h * m + (((long) portA << 16) | portB);
    h = h * m + (((long) vlanId << 4) | ipVersion);
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    hash = (int) h;
  }

  ConnKey copy() {
    ConnKey k = new ConnKey();
    k.ipVersion = ipVersion;
    k.vlanId = vlanId;
    k.aHi = aHi;
    k.aLo = aLo;
    k.bHi = bHi;
    k.bLo = bLo;
    k.portA = portA;
    k.portB = portB;
    k.forward = forward;
    k.hash = hash;
    return k;
  }

  /** Endpoint A's (or B's) address as canonical text. */
  String address(boolean a) {
    long hi = a ? aHi : bHi;
    long lo = a ? aLo : bLo;
    byte[] out = new byte[ipVersion == 4 ? 4 : 16];
    if (ipVersion == 4) {
      for (int i = 0; i < 4; i++) {
        out[i] = (byte) (lo >>> (24 - 8 * i));
      }
    } else {
      for (int i = 0; i < 8; i++) {
        out[i] = (byte) (hi >>> (56 - 8 * i));
        out[8 + i] = (byte) (lo >>> (56 - 8 * i));
      }
    }
    return IpText.of(out, 0, out.length);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConnKey k
        && k.hash == hash
        && k.aLo == aLo
        && k.bLo == bLo
        && k.portA == portA
        && k.portB == portB
        && k.aHi == aHi
        && k.bHi == bHi
        && k.vlanId == vlanId
        && k.ipVersion == ipVersion;
  }

  private static int int32(byte[] b, int off) {
    return (b[off] & 0xFF) << 24
        | (b[off + 1] & 0xFF) << 16
        | (b[off + 2] & 0xFF) << 8
        | (b[off + 3] & 0xFF);
  }

  private static long int64(byte[] b, int off) {
    return ((long) int32(b, off) << 32) | (int32(b, off + 4) & 0xFFFFFFFFL);
  }
}
