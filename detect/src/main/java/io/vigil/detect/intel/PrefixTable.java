package io.vigil.detect.intel;

import java.util.Arrays;
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
  private final long[] his;
  private final long[] los;
  private final int[] lens;
  private final Indicator[][] values;
  private final int mask;

  /** The prefix lengths present, longest first. */
  private final int[] present;

  PrefixTable(boolean v4, Map<Net, List<Indicator>> nets) {
    this.v4 = v4;
    int cap = Integer.highestOneBit(Math.max(4, nets.size() * 2 + 1)) << 1;
    his = new long[cap];
    los = new long[cap];
    lens = new int[cap];
    Arrays.fill(lens, -1);
    values = new Indicator[cap][];
    mask = cap - 1;
    boolean[] seen = new boolean[129];
    for (Map.Entry<Net, List<Indicator>> e : nets.entrySet()) {
      Net n = e.getKey();
      int i = slot(n.hi(), n.lo(), n.len());
      while (lens[i] >= 0) {
        i = (i + 1) & mask;
      }
      his[i] = n.hi();
      los[i] = n.lo();
      lens[i] = n.len();
      values[i] = e.getValue().toArray(new Indicator[0]);
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
    int i = slot(h, l, len);
    while (lens[i] >= 0) {
      if (lens[i] == len && his[i] == h && los[i] == l) {
        return values[i];
      }
      i = (i + 1) & mask;
    }
    return null;
  }

  private int slot(long hi, long lo, int len) {
    long x = hi * 0x9E3779B97F4A7C15L ^ lo ^ ((long) len << 56);
    x ^= x >>> 33;
    x *= 0xFF51AFD7ED558CCDL;
    x ^= x >>> 33;
    return (int) x & mask;
  }
}
