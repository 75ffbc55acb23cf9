package io.vigil.agent.sensor.process.audit;

/**
 * Decodes the hex text audit uses for untrusted strings and raw structures ({@code proctitle=},
 * {@code saddr=}): two digits per byte, either case. Stateless and thread-safe.
 */
public final class HexBytes {
  private HexBytes() {}

  /**
   * The bytes that {@code hex[from..to)} spells, or {@code null} when that range is empty, of odd
   * length or holds anything but hex digits.
   */
  public static byte[] decode(byte[] hex, int from, int to) {
    int len = to - from;
    if (len <= 0 || len % 2 != 0) {
      return null;
    }
    byte[] out = new byte[len / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = digit(hex[from + 2 * i]);
      int lo = digit(hex[from + 2 * i + 1]);
      if (hi < 0 || lo < 0) {
        return null;
      }
      out[i] = (byte) (hi << 4 | lo);
    }
    return out;
  }

  private static int digit(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    return -1;
  }
}
