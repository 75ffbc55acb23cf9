package io.vigil.agent.sensor.process.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EscapedTextTest {

  private static String escape(byte... b) {
    return EscapedText.of(b, 0, b.length);
  }

  @Test
  void validUtf8PassesThrough() {
    byte[] b = "grün €𝄞".getBytes(StandardCharsets.UTF_8);
    assertEquals("grün €𝄞", EscapedText.of(b, 0, b.length));
  }

  @Test
  void invalidBytesBecomeHexEscapesAndNoneIsDropped() {
    // stray continuation, Latin-1 é, truncated 3-byte sequence, overlong '/', surrogate
    assertEquals(
        "a\\x80b\\xE9\\xE2\\x82\\xC0\\xAF\\xED\\xA0\\x80",
        escape(
            (byte) 'a',
            (byte) 0x80,
            (byte) 'b',
            (byte) 0xE9,
            (byte) 0xE2,
            (byte) 0x82,
            (byte) 0xC0,
            (byte) 0xAF,
            (byte) 0xED,
            (byte) 0xA0,
            (byte) 0x80));
  }

  @Test
  void backslashIsDoubledSoEscapesCannotBeForged() {
    assertEquals("\\\\x41", escape((byte) '\\', (byte) 'x', (byte) '4', (byte) '1'));
    assertNotEquals(escape((byte) 0xFF), escape("\\xFF".getBytes(StandardCharsets.US_ASCII)));
  }
}
