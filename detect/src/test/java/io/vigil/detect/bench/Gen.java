package io.vigil.detect.bench;

import java.util.Random;

/** Small random choices for the event-mix generator; all from the caller's {@link Random}. */
final class Gen {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Gen() {}

  @SafeVarargs
  static <T> T pick(Random r, T... options) {
    return options[r.nextInt(options.length)];
  }

  static String hex(Random r, int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = HEX[r.nextInt(16)];
    }
    return new String(out);
  }

  static String digits(Random r, int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = (char) ('0' + r.nextInt(10));
    }
    return new String(out);
  }

  /** A public-looking IPv4 address outside the private and documentation ranges. */
  static String publicIp(Random r) {
    return pick(r, "34", "52", "93", "104", "142", "151", "185")
        + "."
        + r.nextInt(256)
        + "."
        + r.nextInt(256)
        + "."
        + (1 + r.nextInt(254));
  }

  static String privateIp(Random r) {
    return "10.0." + r.nextInt(8) + "." + (2 + r.nextInt(250));
  }
}
