package io.vigil.detect.intel;

/**
 * IP address text parsed into numbers without allocating (events are matched by the million) and
 * formatted in one canonical form (RFC 5952 for IPv6), so that an indicator and an event spelling
 * the same address differently still meet. Stateless.
 *
 * <p>IPv4 addresses are a {@code long} in {@code 0..2^32-1}; IPv6 addresses two {@code long}s (high
 * and low 64 bits). Zone ids ({@code fe80::1%eth0}) are ignored.
 */
final class IpAddress {
  private IpAddress() {}

  /** The IPv4 address in {@code s[from, to)} as dotted quad, or -1. */
  static long parseV4(CharSequence s, int from, int to) {
    long addr = 0;
    int parts = 0;
    int i = from;
    while (parts < 4) {
      int start = i;
      int v = 0;
      while (i < to && i - start < 3) {
        char c = s.charAt(i);
        if (c < '0' || c > '9') {
          break;
        }
        v = v * 10 + (c - '0');
        i++;
      }
      int digits = i - start;
      if (digits == 0 || v > 255 || (digits > 1 && s.charAt(start) == '0')) {
        return -1; // leading zeros are octal to some parsers: refuse rather than guess
      }
      addr = (addr << 8) | v;
      parts++;
      if (parts < 4) {
        if (i >= to || s.charAt(i) != '.') {
          return -1;
        }
        i++;
      }
    }
    return i == to ? addr : -1;
  }

  /**
   * The IPv6 address in {@code s[from, to)} into {@code out[0]} (high) and {@code out[1]} (low);
   * false (and {@code out} unspecified) when it is not one.
   */
  static boolean parseV6(CharSequence s, int from, int to, long[] out) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == '%') {
        to = i;
        break;
      }
    }
    int total = walk(s, from, to, null, 0);
    if (total < 0) {
      return false;
    }
    out[0] = 0;
    out[1] = 0;
    return walk(s, from, to, out, total) >= 0;
  }

  /**
   * One pass over IPv6 text: returns the number of 16-bit groups written (an IPv4 tail counts two),
   * or -1. With {@code out}, places each group; {@code total} (from a first pass) says how many
   * groups the text has, so those after {@code ::} go to the end.
   */
  private static int walk(CharSequence s, int from, int to, long[] out, int total) {
    int i = from;
    int groups = 0;
    int gap = -1;
    if (to - from >= 2 && s.charAt(i) == ':' && s.charAt(i + 1) == ':') {
      gap = 0;
      i += 2;
    } else if (i < to && s.charAt(i) == ':') {
      return -1;
    }
    while (i < to) {
      int start = i;
      int v = 0;
      while (i < to && i - start < 5) {
        int h = Character.digit(s.charAt(i), 16);
        if (h < 0 || s.charAt(i) > 'f') {
          break;
        }
        v = (v << 4) | h;
        i++;
      }
      if (i < to && s.charAt(i) == '.') {
        long v4 = parseV4(s, start, to);
        if (v4 < 0 || groups > 6) {
          return -1;
        }
        place(out, groups, gap, total, (int) (v4 >>> 16));
        place(out, groups + 1, gap, total, (int) (v4 & 0xFFFF));
        groups += 2;
        i = to;
        break;
      }
      int digits = i - start;
      if (digits == 0 || digits > 4 || groups >= 8) {
        return -1;
      }
      place(out, groups, gap, total, v);
      groups++;
      if (i == to) {
        break;
      }
      if (s.charAt(i) != ':') {
        return -1;
      }
      i++;
      if (i < to && s.charAt(i) == ':') {
        if (gap >= 0) {
          return -1;
        }
        gap = groups;
        i++;
      } else if (i == to) {
        return -1;
      }
    }
    boolean ok = gap < 0 ? groups == 8 : groups <= 7;
    return ok ? groups : -1;
  }

  private static void place(long[] out, int k, int gap, int total, int v) {
    if (out == null) {
      return;
    }
    int idx = gap >= 0 && k >= gap ? k + 8 - total : k;
    out[idx >> 2] |= ((long) v) << ((3 - (idx & 3)) * 16);
  }

  /** True when the IPv6 address is IPv4-mapped ({@code ::ffff:a.b.c.d}). */
  static boolean isV4Mapped(long hi, long lo) {
    return hi == 0 && (lo >>> 32) == 0xFFFFL;
  }

  static String formatV4(long a) {
    return ((a >>> 24) & 0xFF)
        + "."
        + ((a >>> 16) & 0xFF)
        + "."
        + ((a >>> 8) & 0xFF)
        + "."
        + (a & 0xFF);
  }

  /** RFC 5952: lower-case, no leading zeros, the longest run (two or more) of zero groups as ::. */
  static String formatV6(long hi, long lo) {
    int[] g = new int[8];
    for (int k = 0; k < 8; k++) {
      long w = k < 4 ? hi : lo;
      g[k] = (int) ((w >>> ((3 - (k & 3)) * 16)) & 0xFFFF);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int k = 0; k < 8; ) {
      if (g[k] != 0) {
        k++;
        continue;
      }
      int start = k;
      while (k < 8 && g[k] == 0) {
        k++;
      }
      if (k - start > bestLen) {
        bestStart = start;
        bestLen = k - start;
      }
    }
    StringBuilder b = new StringBuilder(39);
    for (int k = 0; k < 8; k++) {
      if (k == bestStart) {
        b.append("::");
        k += bestLen - 1;
        continue;
      }
      if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
        b.append(':');
      }
      b.append(Integer.toHexString(g[k]));
    }
    return b.toString();
  }

  /** Mask of the top {@code len} bits of a 32-bit IPv4 address. */
  static long maskV4(int len) {
    return len == 0 ? 0 : (0xFFFFFFFFL << (32 - len)) & 0xFFFFFFFFL;
  }

  /** Mask of the top {@code len} bits (0..128) for the high word. */
  static long maskHi(int len) {
    return len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
  }

  /** Mask of the top {@code len} bits (0..128) for the low word. */
  static long maskLo(int len) {
    return len <= 64 ? 0 : -1L << (128 - len);
  }
}
