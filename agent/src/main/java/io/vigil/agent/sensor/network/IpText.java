package io.vigil.agent.sensor.network;

/**
 * Network-order address bytes as the text Sigma rules compare: IPv4 as a dotted quad, IPv6 in RFC
 * 5952 form (lower case, longest run of two or more zero groups as {@code ::}), and a v4-mapped
 * IPv6 address ({@code ::ffff:a.b.c.d}, how Java's dual-stack sockets appear) as plain IPv4.
 * Stateless and thread-safe. Public because the packet flow table formats its addresses the same
 * way.
 */
public final class IpText {
  private IpText() {}

  /** Formats 4 (IPv4) or 16 (IPv6) bytes at {@code off}. */
  public static String of(byte[] b, int off, int len) {
    if (len == 4) {
      return v4(b, off);
    }
    if (len != 16) {
      throw new IllegalArgumentException("address length must be 4 or 16: " + len);
    }
    if (isV4Mapped(b, off)) {
      return v4(b, off + 12);
    }
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = (b[off + 2 * i] & 0xFF) << 8 | (b[off + 2 * i + 1] & 0xFF);
    }
    int bestStart = -1;
    int bestLen = 1; // RFC 5952: a single zero group is not compressed
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder s = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        s.append("::");
        i += bestLen - 1;
        continue;
      }
      if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
        s.append(':');
      }
      s.append(Integer.toHexString(g[i]));
    }
    return s.toString();
  }

  private static boolean isV4Mapped(byte[] b, int off) {
    for (int i = 0; i < 10; i++) {
      if (b[off + i] != 0) {
        return false;
      }
    }
    return b[off + 10] == (byte) 0xFF && b[off + 11] == (byte) 0xFF;
  }

  private static String v4(byte[] b, int off) {
    return (b[off] & 0xFF)
        + "."
        + (b[off + 1] & 0xFF)
        + "."
        + (b[off + 2] & 0xFF)
        + "."
        + (b[off + 3] & 0xFF);
  }
}
