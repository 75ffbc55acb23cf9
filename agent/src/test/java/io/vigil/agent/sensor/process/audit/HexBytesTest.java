package io.vigil.agent.sensor.process.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HexBytesTest {
  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void decodesEitherCaseWithinTheRange() {
    assertArrayEquals(
        new byte[] {0x00, (byte) 0xAB, (byte) 0xcd, 0x7F},
        HexBytes.decode(ascii("xx00AbcD7fyy"), 2, 10));
  }

  @Test
  void emptyOddOrNonHexTextIsNotDecoded() {
    assertNull(HexBytes.decode(ascii(""), 0, 0));
    assertNull(HexBytes.decode(ascii("ABC"), 0, 3));
    assertNull(HexBytes.decode(ascii("0G"), 0, 2));
    assertNull(HexBytes.decode(ascii("4 41"), 0, 4));
    // Character.digit would accept these non-ASCII digits; audit hex is ASCII only.
    assertNull(HexBytes.decode("\u0661\u0662".getBytes(StandardCharsets.ISO_8859_1), 0, 2));
  }
}
