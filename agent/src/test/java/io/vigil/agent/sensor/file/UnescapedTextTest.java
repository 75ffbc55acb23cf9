package io.vigil.agent.sensor.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.agent.sensor.process.audit.EscapedText;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link UnescapedText} undoes {@link EscapedText} exactly, and refuses what it cannot produce. */
class UnescapedTextTest {
  private static byte[] roundTrip(byte[] raw) {
    return UnescapedText.bytes(EscapedText.of(raw, 0, raw.length));
  }

  @Test
  void randomBytesRoundTrip() {
    Random r = new Random(20261128);
    // Bytes biased towards what escaping is about: backslashes, 'x', hex digits, UTF-8 lead and
    // continuation bytes, so that valid and broken sequences and look-alike escapes all occur.
    byte[] alphabet = {'\\', 'x', 'F', 'f', '0', '9', 'a', '/', 0, (byte) 0x80, (byte) 0xBF};
    for (int round = 0; round < 20_000; round++) {
      byte[] raw = new byte[r.nextInt(40)];
      for (int i = 0; i < raw.length; i++) {
        raw[i] = r.nextBoolean() ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
        if (r.nextInt(8) == 0 && i + 3 < raw.length) { // a valid multi-byte character
          byte[] ch =
              new String(Character.toChars(0x80 + r.nextInt(0x10FF00)))
                  .getBytes(StandardCharsets.UTF_8);
          if (!new String(ch, StandardCharsets.UTF_8).contains("\uFFFD")
              && i + ch.length <= raw.length) {
            System.arraycopy(ch, 0, raw, i, ch.length);
            i += ch.length - 1;
          }
        }
      }
      assertArrayEquals(raw, roundTrip(raw), () -> EscapedText.of(raw, 0, raw.length));
    }
  }

  @Test
  void theCasesThatMatter() {
    assertArrayEquals(new byte[] {'a', '\\', 'b'}, UnescapedText.bytes("a\\\\b"));
    assertArrayEquals(new byte[] {'m', (byte) 0xFF}, UnescapedText.bytes("m\\xFF"));
    assertArrayEquals(
        "m\\xFF".getBytes(StandardCharsets.US_ASCII), UnescapedText.bytes("m\\\\xFF"), "decoy");
    assertArrayEquals("é".getBytes(StandardCharsets.UTF_8), UnescapedText.bytes("é"));
  }

  @Test
  void textEscapedTextCannotProduceIsRefused() {
    for (String bad :
        new String[] {
          "a\\", // lone backslash
          "a\\b", // unknown escape
          "\\x41", // an ASCII byte is never escaped
          "\\xff", // lower-case hex
          "\\xF", // cut short
          "\\xC3\\xA9", // a valid sequence is decoded, never escaped
          "\uD800", // lone surrogate
          "a\uDC00b"
        }) {
      assertThrows(IllegalArgumentException.class, () -> UnescapedText.bytes(bad), bad);
    }
  }
}
