package io.vigil.agent.packet;

/**
 * IP addresses as the canonical text Sigma rules compare, and back, without {@link
 * java.net.InetAddress} (which would resolve a string that is not a literal, and does not compress
 * IPv6). IPv4 is dotted decimal; IPv6 is RFC 5952 text: lower-case hex, leading zeros dropped, the
 * longest run of two or more zero groups (the first of equal runs) as {@code ::}; an IPv4-mapped
 * address ({@code ::ffff:a.b.c.d}, how Java's dual-stack sockets appear) is written as plain IPv4,
 * so that the same host compares equal whichever socket family saw it. One class for the connection
 * sensor, flows and DNS. Stateless and thread-safe.
 */
public final class IpText {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private IpText() {}

  /** {@code addr[off, off+len)} as text; {@code len} must be 4 or 16. */
  public static String of(byte[] addr, int off, int len) {
    String s = format(addr, off, len);
    if (s == null) {
      throw new IllegalArgumentException("address length must be 4 or 16: " + len);
    }
    return s;
  }

  /** {@code addr[off, off+len)} as text; len must be 4 or 16, else null. */
  public static String format(byte[] addr, int off, int len) {
    if (len == 4) {
      return (addr[off] & 0xff)
          + "."
          + (addr[off + 1] & 0xff)
          + "."
          + (addr[off + 2] & 0xff)
          + "."
          + (addr[off + 3] & 0xff);
    }
    if (len != 16) {
      return null;
    }
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((addr[off + 2 * i] & 0xff) << 8) | (addr[off + 2 * i + 1] & 0xff);
    }
    if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
      return format(addr, off + 12, 4);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      appendHex(sb, g[i]);
    }
    return sb.toString();
  }

  private static void appendHex(StringBuilder sb, int v) {
    boolean started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      int d = (v >>> shift) & 0xf;
      if (d != 0 || started || shift == 0) {
        sb.append(HEX[d]);
        started = true;
      }
    }
  }

  /**
   * Parses an IPv4 or IPv6 literal (any valid spelling: upper case, leading zeros in groups, an
   * embedded dotted IPv4 tail) into 4 or 16 bytes; null when it is not one. No zone ids.
   */
  public static byte[] parse(String s) {
    if (s == null || s.isEmpty() || s.length() > 45) {
      return null;
    }
    return s.indexOf(':') >= 0 ? parse6(s) : parse4(s, 0, s.length(), new byte[4], 0);
  }

  /** The canonical text of a literal, or null when it is not one. */
  public static String canonical(String s) {
    byte[] a = parse(s);
    return a == null ? null : format(a, 0, a.length);
  }

  private static byte[] parse4(String s, int from, int to, byte[] out, int at) {
    int part = 0;
    int value = 0;
    int digits = 0;
    for (int i = from; i <= to; i++) {
      char c = i < to ? s.charAt(i) : '.';
      if (c == '.') {
        if (digits == 0 || part > 3) {
          return null;
        }
        out[at + part++] = (byte) value;
        value = 0;
        digits = 0;
      } else if (c >= '0' && c <= '9' && digits < 3) {
        value = value * 10 + (c - '0');
        digits++;
        if (value > 255) {
          return null;
        }
      } else {
        return null;
      }
    }
    return part == 4 ? out : null;
  }

  private static byte[] parse6(String s) {
    int[] groups = new int[8];
    int count = 0;
    int gap = -1;
    int n = s.length();
    int i = 0;
    if (s.startsWith("::")) {
      gap = 0;
      i = 2;
    } else if (s.charAt(0) == ':') {
      return null;
    }
    byte[] out = new byte[16];
    while (i < n) {
      int end = s.indexOf(':', i);
      if (end < 0) {
        end = n;
      }
      if (end == i) {
        return null;
      }
      if (s.indexOf('.', i) >= 0 && end == n) {
        if (count > 6 || parse4(s, i, n, out, 12) == null) {
          return null;
        }
        groups[count++] = ((out[12] & 0xff) << 8) | (out[13] & 0xff);
        groups[count++] = ((out[14] & 0xff) << 8) | (out[15] & 0xff);
        i = n;
        break;
      }
      if (end - i > 4 || count == 8) {
        return null;
      }
      int v = 0;
      for (int k = i; k < end; k++) {
        int d = Character.digit(s.charAt(k), 16);
        if (d < 0) {
          return null;
        }
        v = (v << 4) | d;
      }
      groups[count++] = v;
      if (end == n) {
        i = n;
      } else if (end + 1 < n && s.charAt(end + 1) == ':') {
        if (gap >= 0) {
          return null;
        }
        gap = count;
        i = end + 2;
      } else if (end + 1 == n) {
        return null;
      } else {
        i = end + 1;
      }
    }
    if (gap < 0 ? count != 8 : count > 7) {
      return null;
    }
    int[] full = new int[8];
    if (gap < 0) {
      full = groups;
    } else {
      int tail = count - gap;
      System.arraycopy(groups, 0, full, 0, gap);
      System.arraycopy(groups, gap, full, 8 - tail, tail);
    }
    for (int k = 0; k < 8; k++) {
      out[2 * k] = (byte) (full[k] >>> 8);
      out[2 * k + 1] = (byte) full[k];
    }
    return out;
  }
}
