package io.vigil.agent.platform.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FanotifyEventParserTest {
  private static final long FSID = 0x0123_4567_89AB_CDEFL;
  private static final byte[] HANDLE = {1, 2, 3, 4, 5, 6, 7, 8};

  /** An information record as the kernel lays it out, padded to 4 bytes. */
  static byte[] fid(int type, byte[] handle, String name) {
    byte[] n = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
    int len = 4 + 8 + 8 + handle.length + (name == null ? 0 : n.length + 1);
    len = (len + 3) & ~3;
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
    b.put((byte) type).put((byte) 0).putShort((short) len).putLong(FSID);
    b.putInt(handle.length).putInt(1).put(handle).put(n);
    return b.array();
  }

  /** An event: metadata and records. */
  static byte[] event(int vers, long mask, int fd, int pid, byte[]... records) {
    int len = 24;
    for (byte[] r : records) {
      len += r.length;
    }
    ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
    b.putInt(len).put((byte) vers).put((byte) 0).putShort((short) 24);
    b.putLong(mask).putInt(fd).putInt(pid);
    for (byte[] r : records) {
      b.put(r);
    }
    return b.array();
  }

  static ByteBuffer buffer(byte[]... events) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] e : events) {
      o.writeBytes(e);
    }
    return ByteBuffer.wrap(o.toByteArray()).order(ByteOrder.nativeOrder());
  }

  @Test
  void aDirectoryHandleAndNameAreDecoded() {
    FanotifyEventParser.Result r =
        FanotifyEventParser.parse(
            buffer(event(3, 0x10A, -1, 4242, fid(FanotifyInfo.DFID_NAME, HANDLE, "a.txt"))));
    assertEquals(0, r.malformed());
    FanotifyEvent e = r.events().get(0);
    assertEquals(0x10A, e.mask());
    assertEquals(-1, e.fd());
    assertEquals(4242, e.pid());
    FanotifyInfo i = e.info(FanotifyInfo.DFID_NAME);
    assertEquals(FSID, i.fsid());
    assertArrayEquals(new byte[] {8, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}, i.handle());
    assertEquals("a.txt", new String(i.name(), StandardCharsets.UTF_8));
  }

  @Test
  void aRenameCarriesTheOldAndTheNewDirectoryAndName() {
    byte[] other = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    FanotifyEvent e =
        FanotifyEventParser.parse(
                buffer(
                    event(
                        3,
                        0x1000_0000L,
                        -1,
                        7,
                        fid(FanotifyInfo.OLD_DFID_NAME, HANDLE, "a"),
                        fid(FanotifyInfo.NEW_DFID_NAME, other, "b"))))
            .events()
            .get(0);
    assertEquals("a", new String(e.info(FanotifyInfo.OLD_DFID_NAME).name()));
    assertEquals("b", new String(e.info(FanotifyInfo.NEW_DFID_NAME).name()));
    assertEquals(8 + 12, e.info(FanotifyInfo.NEW_DFID_NAME).handle().length);
  }

  @Test
  void anOverflowHasNoRecordsAndSeveralEventsComeInOrder() {
    FanotifyEventParser.Result r =
        FanotifyEventParser.parse(
            buffer(
                event(3, 0x100, -1, 1, fid(FanotifyInfo.DFID_NAME, HANDLE, "x")),
                event(3, 0x4000, -1, 0),
                event(3, 0x4000_0400L, -1, 2, fid(FanotifyInfo.DFID_NAME, HANDLE, ".")),
                event(3, 0x2, -1, 3, fid(FanotifyInfo.DFID, HANDLE, null))));
    assertEquals(0, r.malformed());
    assertEquals(List.of(0x100L, 0x4000L, 0x4000_0400L, 0x2L), masks(r));
    assertTrue(r.events().get(1).infos().isEmpty());
    assertTrue(r.events().get(2).info(FanotifyInfo.DFID_NAME).selfName());
    assertTrue(r.events().get(3).info(FanotifyInfo.DFID).selfName());
  }

  @Test
  void anotherVersionIsSkippedAndCountedAndTheNextEventStillRead() {
    FanotifyEventParser.Result r =
        FanotifyEventParser.parse(
            buffer(event(2, 0x100, 5, 1), event(3, 0x200, -1, 1, fid(2, HANDLE, "y"))));
    assertEquals(1, r.malformed());
    assertEquals(List.of(0x200L), masks(r));
    assertTrue(r.strayFds().isEmpty(), "a version-2 fd field is not trusted");
  }

  @Test
  void anInconsistentRecordDropsItsEventButReturnsItsDescriptor() {
    byte[] zeroLength = fid(2, HANDLE, "z");
    zeroLength[2] = 0;
    zeroLength[3] = 0;
    byte[] hugeHandle = fid(2, HANDLE, "z");
    ByteBuffer.wrap(hugeHandle).order(ByteOrder.nativeOrder()).putInt(12, 1_000_000);
    byte[] noNul = fid(2, HANDLE, "abc"); // 20 + 8 + 4 = 32 bytes exactly: no room for padding
    noNul[noNul.length - 1] = 'c';
    FanotifyEventParser.Result r =
        FanotifyEventParser.parse(
            buffer(
                event(3, 0x1, 11, 1, zeroLength),
                event(3, 0x1, 12, 1, hugeHandle),
                event(3, 0x1, 13, 1, noNul),
                event(3, 0x2, -1, 1, fid(2, HANDLE, "ok"))));
    assertEquals(3, r.malformed());
    assertEquals(List.of(11, 12, 13), r.strayFds());
    assertEquals(List.of(0x2L), masks(r));
  }

  @Test
  void unknownRecordTypesAreSkipped() {
    byte[] pidfd =
        ByteBuffer.allocate(8)
            .order(ByteOrder.nativeOrder())
            .put((byte) 4)
            .put((byte) 0)
            .putShort((short) 8)
            .putInt(99)
            .array();
    FanotifyEventParser.Result r =
        FanotifyEventParser.parse(buffer(event(3, 0x2, -1, 1, pidfd, fid(2, HANDLE, "n"))));
    assertEquals(0, r.malformed());
    assertEquals(1, r.events().get(0).infos().size());
  }

  @Test
  void lengthsPointingOutsideTheBufferEndIt() {
    byte[] good = event(3, 0x2, -1, 1, fid(2, HANDLE, "n"));
    byte[] tooLong = event(3, 0x2, -1, 1);
    ByteBuffer.wrap(tooLong).order(ByteOrder.nativeOrder()).putInt(0, 10_000);
    byte[] tooShort = event(3, 0x2, -1, 1);
    ByteBuffer.wrap(tooShort).order(ByteOrder.nativeOrder()).putInt(0, 8);
    byte[] negative = event(3, 0x2, -1, 1);
    ByteBuffer.wrap(negative).order(ByteOrder.nativeOrder()).putInt(0, -24);

    for (byte[] bad : List.of(tooLong, tooShort, negative)) {
      FanotifyEventParser.Result r = FanotifyEventParser.parse(buffer(good, bad, good));
      assertEquals(1, r.events().size());
      assertEquals(1, r.malformed());
    }
    FanotifyEventParser.Result cut = FanotifyEventParser.parse(buffer(good, new byte[10]));
    assertEquals(1, cut.events().size());
    assertEquals(1, cut.malformed());
  }

  @Test
  void randomBytesNeverThrow() {
    Random random = new Random(8);
    byte[] good = event(3, 0x2, -1, 1, fid(2, HANDLE, "name"));
    for (int i = 0; i < 20_000; i++) {
      byte[] b;
      if (random.nextBoolean()) {
        b = new byte[random.nextInt(200)];
        random.nextBytes(b);
      } else {
        b = good.clone(); // a valid event with a few bytes flipped
        for (int k = 0; k < 1 + random.nextInt(4); k++) {
          b[random.nextInt(b.length)] = (byte) random.nextInt();
        }
      }
      FanotifyEventParser.Result r =
          FanotifyEventParser.parse(ByteBuffer.wrap(b).order(ByteOrder.nativeOrder()));
      assertTrue(r.events().size() + r.malformed() >= (b.length > 0 ? 1 : 0));
    }
  }

  private static List<Long> masks(FanotifyEventParser.Result r) {
    return r.events().stream().map(FanotifyEvent::mask).toList();
  }
}
