package io.vigil.agent.packet.flow;

import io.vigil.agent.packet.decode.DecodedPacket;

/**
 * The normalised, direction-free key of a packet's flow: IP version, protocol, VLAN id and the two
 * endpoints (address, port) in sorted order, A before B, so that both directions of a flow find the
 * same key; {@link #forward} says whether the packet went from A to B. A mutable probe, refilled
 * for every packet so that looking a flow up allocates nothing; the table stores keys field by
 * field and compares them in place. Not thread-safe.
 *
 * <p>Addresses are held as two big-endian longs each (IPv4 in the low 32 bits of {@code lo}), so
 * comparing them unsigned orders them as their bytes. For ICMP the "ports" are the type and the
 * paired reply type, or the code for a one-way type, as the Community ID does: an echo request and
 * its reply share a flow. The decoder does not give the echo identifier, so two pings running at
 * once between the same two hosts are one flow; each one-way type and code (unreachable, time
 * exceeded, ...) between two hosts is a flow of its own.
 */
final class FlowKey {
  int ipVersion;
  int protocol;
  int vlanId;
  long aHi;
  long aLo;
  long bHi;
  long bLo;
  int portA;
  int portB;

  /** The packet went from endpoint A to endpoint B. */
  boolean forward;

  int hash;

  /** Fills the key from an IP packet ({@code p.ipVersion} 4 or 6). */
  void set(DecodedPacket p) {
    long sHi;
    long sLo;
    long dHi;
    long dLo;
    if (p.ipVersion == 4) {
      sHi = 0;
      dHi = 0;
      sLo = int32(p.src, 0) & 0xFFFFFFFFL;
      dLo = int32(p.dst, 0) & 0xFFFFFFFFL;
    } else {
      sHi = int64(p.src, 0);
      sLo = int64(p.src, 8);
      dHi = int64(p.dst, 0);
      dLo = int64(p.dst, 8);
    }
    int proto = p.protocol;
    int sp;
    int dp;
    if (proto == 1 || proto == 58) {
      sp = p.icmpType & 0xFF;
      int counterpart = CommunityId.counterpartType(proto, sp);
      dp = counterpart >= 0 ? counterpart : p.icmpCode & 0xFF;
    } else {
      sp = p.srcPort;
      dp = p.dstPort;
    }
    int c = Long.compareUnsigned(sHi, dHi);
    if (c == 0) {
      c = Long.compareUnsigned(sLo, dLo);
    }
    if (c == 0) {
      c = Integer.compare(sp, dp);
    }
    forward = c <= 0;
    ipVersion = p.ipVersion;
    protocol = proto;
    vlanId = p.vlanId;
    if (forward) {
      aHi = sHi;
      aLo = sLo;
      bHi = dHi;
      bLo = dLo;
      portA = sp;
      portB = dp;
    } else {
      aHi = dHi;
      aLo = dLo;
      bHi = sHi;
      bLo = sLo;
      portA = dp;
      portB = sp;
    }
    hash = hash();
  }

  private int hash() {
    long m = 0x9E3779B97F4A7C15L;
    long h = aHi;
    h = h * m + aLo;
    h = h * m + bHi;
    h = h * m + bLo;
    h = h * m + (((long) portA << 16) | portB);
    h = h * m + (((long) vlanId << 16) | ((long) protocol << 4) | ipVersion);
    // fmix64 (MurmurHash3): spreads the bits so that the low bits index the buckets well.
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return (int) h;
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

  /** Writes the address held as (hi, lo) into {@code out} in network order: 4 or 16 bytes. */
  static void address(int ipVersion, long hi, long lo, byte[] out) {
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
  }
}
