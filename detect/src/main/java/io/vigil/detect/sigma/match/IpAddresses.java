package io.vigil.detect.sigma.match;

/**
 * Parses IPv4 and IPv6 literals by hand: {@code InetAddress.getByName} would resolve a host name,
 * and event values are attacker-controlled. Stateless.
 */
final class IpAddresses {
  private IpAddresses() {}

  /** 4 or 16 bytes, or null when {@code s} is not an IP literal; IPv4-mapped IPv6 gives 4 bytes. */
  static byte[] parse(String s) {
    if (s.length() > 64) {
      return null;
    }
    int zone = s.indexOf('%');
    String t = zone >= 0 ? s.substring(0, zone) : s;
    if (t.indexOf(':') < 0) {
      return parseV4(t);
    }
    byte[] v6 = parseV6(t);
    if (v6 != null && isV4Mapped(v6)) {
      return new byte[] {v6[12], v6[13], v6[14], v6[15]};
    }
    return v6;
  }

  static byte[] parseV4(String s) {
    byte[] out = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c == '.') {
        if (value < 0 || part > 3) {
          return null;
        }
        out[part++] = (byte) value;
        value = -1;
      } else if (c >= '0' && c <= '9') {
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) {
          return null;
        }
      } else {
        return null;
      }
    }
    return part == 4 ? out : null;
  }

  static byte[] parseV6(String s) {
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    String head = gap >= 0 ? s.substring(0, gap) : s;
    String tail = gap >= 0 ? s.substring(gap + 2) : "";
    byte[] h = groups(head);
    byte[] t = groups(tail);
    if (h == null || t == null) {
      return null;
    }
    if (gap < 0 ? h.length != 16 : h.length + t.length > 14) {
      return null;
    }
    byte[] out = new byte[16];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(t, 0, out, 16 - t.length, t.length);
    return out;
  }

  /** Colon-separated hex groups, the last of which may be dotted IPv4; empty text gives none. */
  private static byte[] groups(String s) {
    if (s.isEmpty()) {
      return new byte[0];
    }
    String[] parts = s.split(":", -1);
    byte[] out = new byte[parts.length * 2 + 2];
    int n = 0;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (i == parts.length - 1 && p.indexOf('.') >= 0) {
        byte[] v4 = parseV4(p);
        if (v4 == null) {
          return null;
        }
        System.arraycopy(v4, 0, out, n, 4);
        n += 4;
        continue;
      }
      if (p.isEmpty() || p.length() > 4) {
        return null;
      }
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        int d = Character.digit(p.charAt(j), 16);
        if (d < 0) {
          return null;
        }
        v = v * 16 + d;
      }
      out[n++] = (byte) (v >>> 8);
      out[n++] = (byte) v;
    }
    return n > 16 ? null : java.util.Arrays.copyOf(out, n);
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }
}
