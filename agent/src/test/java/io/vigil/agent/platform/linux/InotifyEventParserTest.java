package io.vigil.agent.platform.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InotifyEventParserTest {
  /** A record as the kernel writes it: the name NUL-padded to a multiple of 16. */
  static byte[] record(int wd, int mask, int cookie, String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    int len = name.isEmpty() ? 0 : (n.length + 1 + 15) & ~15;
    ByteBuffer b = ByteBuffer.allocate(16 + len).order(ByteOrder.nativeOrder());
    b.putInt(wd).putInt(mask).putInt(cookie).putInt(len).put(n);
    return b.array();
  }

  static ByteBuffer buffer(byte[]... records) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] r : records) {
      o.writeBytes(r);
    }
    return ByteBuffer.wrap(o.toByteArray()).order(ByteOrder.nativeOrder());
  }

  @Test
  void recordsWithAndWithoutNamesAreDecodedInOrder() {
    InotifyEventParser.Result r =
        InotifyEventParser.parse(
            buffer(
                record(1, 0x40, 77, "old-name"),
                record(1, 0x80, 77, "a-rather-longer-new-name"),
                record(2, 0x400, 0, ""),
                record(-1, 0x4000, 0, "")));
    assertEquals(0, r.malformed());
    assertEquals(4, r.events().size());
    InotifyEvent from = r.events().get(0);
    assertEquals(1, from.wd());
    assertEquals(0x40, from.mask());
    assertEquals(77, from.cookie());
    assertEquals("old-name", new String(from.name(), StandardCharsets.UTF_8));
    assertEquals("a-rather-longer-new-name", new String(r.events().get(1).name()));
    assertEquals(0, r.events().get(2).name().length);
    assertEquals(-1, r.events().get(3).wd());
  }

  @Test
  void aNameLengthPastTheBufferEndsItAndIsCounted() {
    byte[] bad = record(3, 0x100, 0, "x");
    ByteBuffer.wrap(bad).order(ByteOrder.nativeOrder()).putInt(12, 1 << 30);
    InotifyEventParser.Result r =
        InotifyEventParser.parse(buffer(record(3, 0x100, 0, "ok"), bad, record(3, 2, 0, "no")));
    assertEquals(1, r.events().size());
    assertEquals(1, r.malformed());
    InotifyEventParser.Result cut = InotifyEventParser.parse(buffer(new byte[7]));
    assertEquals(0, cut.events().size());
    assertEquals(1, cut.malformed());
  }

  @Test
  void randomBytesNeverThrow() {
    Random random = new Random(4);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[random.nextInt(300)];
      random.nextBytes(b);
      InotifyEventParser.Result r =
          InotifyEventParser.parse(ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()));
      assertTrue(r.malformed() <= 1);
    }
  }
}
