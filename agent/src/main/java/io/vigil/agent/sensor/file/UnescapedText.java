package io.vigil.agent.sensor.file;

import io.vigil.agent.sensor.process.audit.EscapedText;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The exact inverse of {@link EscapedText}: the raw bytes an escaped text stands for. Paths travel
 * through the sensor as escaped text (what the event shows), but a file must be stat'ed and opened
 * by its real name: {@code a\\b} is the file {@code a\b}, {@code m\xFF} is the file whose name ends
 * in the byte {@code 0xFF}, and a decoy literally named {@code m\xFF} is {@code m\\xFF}. Stateless
 * and thread-safe.
 */
final class UnescapedText {
  private UnescapedText() {}

  /**
   * The bytes {@code text} was escaped from.
   *
   * @throws IllegalArgumentException when {@link EscapedText} cannot have produced {@code text} (a
   *     lone backslash, an escape other than {@code \\} and {@code \xNN} of a byte that is not
   *     valid UTF-8 there, a lone surrogate): no file is then taken for another
   */
  static byte[] bytes(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() + 8);
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\\') {
        if (i + 1 < n && text.charAt(i + 1) == '\\') {
          out.write('\\');
          i += 2;
        } else if (i + 3 < n && text.charAt(i + 1) == 'x') {
          int b = (hex(text.charAt(i + 2)) << 4) | hex(text.charAt(i + 3));
          if (b < 0x80) {
            throw new IllegalArgumentException("escaped ASCII byte at " + i);
          }
          out.write(b);
          i += 4;
        } else {
          throw new IllegalArgumentException("lone backslash at " + i);
        }
      } else if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c)
            || i + 1 >= n
            || !Character.isLowSurrogate(text.charAt(i + 1))) {
          throw new IllegalArgumentException("lone surrogate at " + i);
        }
        out.writeBytes(text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
        i += 2;
      } else {
        int start = i;
        while (i < n && text.charAt(i) != '\\' && !Character.isSurrogate(text.charAt(i))) {
          i++;
        }
        out.writeBytes(text.substring(start, i).getBytes(StandardCharsets.UTF_8));
      }
    }
    byte[] raw = out.toByteArray();
    // An \xNN that completes a valid UTF-8 sequence with its neighbours was not written by
    // EscapedText (it would have decoded it): re-escaping tells, and keeps the inverse exact.
    if (!EscapedText.of(raw, 0, raw.length).equals(text)) {
      throw new IllegalArgumentException("not escaped text");
    }
    return raw;
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    throw new IllegalArgumentException("bad hex digit");
  }
}
