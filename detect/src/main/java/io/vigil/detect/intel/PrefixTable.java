package io.vigil.detect.intel;

import java.util.List;
import java.util.Map;

/**
 * Networks (address, prefix length) to indicators, for lookups of one address without allocating:
 * an open-addressing table keyed by the masked address and its length, probed once per prefix
 * length present (most specific first). Single IPs are networks of full length. Immutable after
 * construction; safe for concurrent reads.
 */
final class PrefixTable {
  /** A network: the address (host bits zero) in two words and its prefix length. */
  record Net(long hi, long lo, int len) {}

  private final boolean v4;

  /**
   * Slot i holds hi, lo, len+1 at 3i..3i+2 (adjacent: one cache line per probe); len+1 0 = free.
   */
  private final long[] keys;

  private final Indicator[][] values;
  private final int mask;

  /**
   * One bit per hash of a present network, checked before probing: most addresses hit no network of
   * most lengths, and this small array stays in cache where the table does not.
   */
  private final long[] filter;

  private final int filterMask;

  /** The prefix lengths present, longest first. */
  private final int[] present;

  PrefixTable(boolean v4, Map<Net, List<Indicator>> nets) {
    this.v4 = v4;
    int cap = Integer.highestOneBit(Math.max(4, nets.size() * 2 + 1)) << 1;
    keys = new long[cap * 3];
    values = new Indicator[cap][];
    mask = cap - 1;
    int filterBits = Math.min(1 << 22, Math.max(64, cap * 4));
    filter = new long[filterBits / 64];
    filterMask = filterBits - 1;
    boolean[] seen = new boolean[129];
    for (Map.Entry<Net, List<Indicator>> e : nets.entrySet()) {
      Net n = e.getKey();
      long h = hash(n.hi(), n.lo(), n.len());
      int i = (int) h & mask;
      while (keys[3 * i + 2] != 0) {
        i = (i + 1) & mask;
      }
      keys[3 * i] = n.hi();
      keys[3 * i + 1] = n.lo();
      keys[3 * i + 2] = n.len() + 1;
      values[i] = e.getValue().toArray(new Indicator[0]);
      int f = (int) (h >>> 40) & filterMask;
      filter[f >>> 6] |= 1L << f;
      seen[n.len()] = true;
    }
    int count = 0;
    for (boolean b : seen) {
      count += b ? 1 : 0;
    }
    present = new int[count];
    int k = 0;
    for (int len = 128; len >= 0; len--) {
      if (seen[len]) {
        present[k++] = len;
      }
    }
  }

  boolean isEmpty() {
    return present.length == 0;
  }

  /** The prefix lengths present, longest first (do not modify). */
  int[] lengths() {
    return present;
  }

  /** Indicators for the address masked to {@code len}, or null. */
  Indicator[] get(long hi, long lo, int len) {
    long h;
    long l;
    if (v4) {
      h = 0;
      l = lo & IpAddress.maskV4(len);
    } else {
      h = hi & IpAddress.maskHi(len);
      l = lo & IpAddress.maskLo(len);
    }
    long x = hash(h, l, len);
    int f = (int) (x >>> 40) & filterMask;
    if ((filter[f >>> 6] & (1L << f)) == 0) {
      return null;
    }
    int i = (int) x & mask;
    long stored;
    while ((stored = keys[3 * i + 2]) != 0) {
      if (stored == len + 1 && keys[3 * i] == h && keys[3 * i + 1] == l) {
        return values[i];
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  private static long hash(long hi, long lo, int len) {
    long x = hi * 0x9E3779B97F4A7C15L ^ lo ^ ((long) len << 56);
    x ^= x >>> 33;
    x *= 0xFF51AFD7ED558CCDL;
    x ^= x >>> 33;
    x *= 0xC4CEB9FE1A85EC53L;
    x ^= x >>> 33;
    return x;
  }
}
