package io.vigil.agent.sensor.process.audit;

/**
 * Turns bytes into a Java string without losing any of them: valid UTF-8 is decoded, a backslash
 * becomes {@code \\}, and every byte that is not part of a valid UTF-8 sequence becomes {@code
 * \xNN} (upper-case hex). The original bytes can be recovered exactly, and two different byte
 * strings never give the same text. Stateless and thread-safe.
 */
public final class EscapedText {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private EscapedText() {}

  /** Escapes {@code len} bytes of {@code b} from {@code off}. */
  public static String of(byte[] b, int off, int len) {
    StringBuilder out = new StringBuilder(len);
    int end = off + len;
    int i = off;
    while (i < end) {
      int c = b[i] & 0xFF;
      if (c < 0x80) {
        if (c == '\\') {
          out.append('\\');
        }
        out.append((char) c);
        i++;
        continue;
      }
      int n = sequenceLength(b, i, end);
      if (n == 0) {
        out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xF]);
        i++;
      } else {
        out.append(new String(b, i, n, java.nio.charset.StandardCharsets.UTF_8));
        i += n;
      }
    }
    return out.toString();
  }

  /**
   * Length of the valid UTF-8 sequence starting at {@code i}, 0 if it is not valid (overlong,
   * surrogate, above U+10FFFF, cut short or a stray continuation byte), per RFC 3629.
   */
  static int sequenceLength(byte[] b, int i, int end) {
    int c = b[i] & 0xFF;
    int n;
    int min;
    int max;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
      min = 0x80;
      max = 0xBF;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      min = c == 0xE0 ? 0xA0 : 0x80; // E0 80..9F would be overlong
      max = c == 0xED ? 0x9F : 0xBF; // ED A0..BF would be a surrogate
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      min = c == 0xF0 ? 0x90 : 0x80; // F0 80..8F would be overlong
      max = c == 0xF4 ? 0x8F : 0xBF; // F4 90.. would be above U+10FFFF
    } else {
      return 0;
    }
    if (i + n > end) {
      return 0;
    }
    int second = b[i + 1] & 0xFF;
    if (second < min || second > max) {
      return 0;
    }
    for (int k = 2; k < n; k++) {
      int cc = b[i + k] & 0xFF;
      if (cc < 0x80 || cc > 0xBF) {
        return 0;
      }
    }
    return n;
  }
}
