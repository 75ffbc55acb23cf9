package io.vigil.agent.packet.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Lower-case hex and the digests the fingerprints use. */
final class Hex {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private Hex() {}

  static String of(byte[] b) {
    char[] out = new char[b.length * 2];
    for (int i = 0; i < b.length; i++) {
      out[2 * i] = DIGITS[(b[i] >> 4) & 0xf];
      out[2 * i + 1] = DIGITS[b[i] & 0xf];
    }
    return new String(out);
  }

  /** {@code v} as 4 lower-case hex digits. */
  static String u16(int v) {
    return new String(
        new char[] {
          DIGITS[(v >> 12) & 0xf], DIGITS[(v >> 8) & 0xf], DIGITS[(v >> 4) & 0xf], DIGITS[v & 0xf]
        });
  }

  /** The hex digest of {@code data} with {@code algorithm}, which every JDK must provide. */
  static String digest(String algorithm, byte[] data) {
    try {
      return of(MessageDigest.getInstance(algorithm).digest(data));
    } catch (NoSuchAlgorithmException e) {
      // MD5 and SHA-256 are required of every Java platform (MessageDigest javadoc).
      throw new IllegalStateException(algorithm + " missing from the JDK", e);
    }
  }
}
