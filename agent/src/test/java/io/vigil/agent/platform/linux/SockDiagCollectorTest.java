package io.vigil.agent.platform.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class SockDiagCollectorTest {
  private static final int DIAG = 20;
  private static final int ERROR = 2;
  private static final int DONE = 3;

  /** One datagram of netlink messages, each {type, flags, seq, payload length}. */
  private static ByteBuffer datagram(int[]... messages) {
    ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
    for (int[] m : messages) {
      int len = 16 + m[3];
      b.putInt(len).putShort((short) m[0]).putShort((short) m[1]).putInt(m[2]).putInt(0);
      for (int i = 0; i < m[3]; i++) {
        b.put((byte) (m[2] + i));
      }
      b.position((b.position() + 3) & ~3);
    }
    b.flip();
    return b;
  }

  @Test
  void aMultiPartDumpCollectsEveryMessageUntilDone() throws IOException {
    SockDiagSocket.Collector c = new SockDiagSocket.Collector(7, 100);

    c.accept(datagram(new int[] {DIAG, 2, 7, 72}, new int[] {DIAG, 2, 7, 75}));
    assertFalse(c.done);
    c.accept(datagram(new int[] {DIAG, 2, 7, 72}, new int[] {DONE, 2, 7, 4}));

    assertTrue(c.done);
    assertEquals(3, c.messages.size());
    assertEquals(75, c.messages.get(1).length);
    assertArrayEquals(new byte[] {7, 8, 9}, java.util.Arrays.copyOf(c.messages.get(0), 3));
    assertFalse(c.truncated);
  }

  @Test
  void messagesOfAnotherRequestAreSkipped() throws IOException {
    SockDiagSocket.Collector c = new SockDiagSocket.Collector(7, 100);

    c.accept(datagram(new int[] {DIAG, 2, 6, 72}, new int[] {DONE, 2, 6, 4}));
    assertFalse(c.done);
    c.accept(datagram(new int[] {DIAG, 2, 7, 72}, new int[] {DONE, 2, 7, 4}));

    assertEquals(1, c.messages.size());
    assertTrue(c.done);
  }

  @Test
  void messagesBeyondTheLimitAreDroppedAndTheDumpMarkedTruncatedAndInterrupted()
      throws IOException {
    SockDiagSocket.Collector c = new SockDiagSocket.Collector(1, 2);

    c.accept(
        datagram(
            new int[] {DIAG, 2, 1, 72},
            new int[] {DIAG, 2 | 0x10, 1, 72},
            new int[] {DIAG, 2, 1, 72},
            new int[] {DONE, 2, 1, 4}));

    assertEquals(2, c.messages.size());
    assertTrue(c.truncated);
    assertTrue(c.interrupted);
    assertTrue(c.done);
  }

  @Test
  void anErrorMessageFailsTheDumpWithItsErrno() {
    SockDiagSocket.Collector c = new SockDiagSocket.Collector(1, 10);
    ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
    b.putInt(36).putShort((short) ERROR).putShort((short) 0).putInt(1).putInt(0);
    b.putInt(-22).flip(); // EINVAL, then the echoed request header (zeros)
    b.limit(36);

    IOException e = assertThrows(IOException.class, () -> c.accept(b));
    assertTrue(e.getMessage().contains("errno 22"), e.getMessage());
  }

  @Test
  void aLengthBeyondTheDatagramIsRejected() {
    SockDiagSocket.Collector c = new SockDiagSocket.Collector(1, 10);
    ByteBuffer b = datagram(new int[] {DIAG, 2, 1, 72});
    b.putInt(0, 4000);

    assertThrows(IOException.class, () -> c.accept(b));
  }

  @Test
  void theRequestIsSeventyTwoBytesWithDumpFlags() {
    ByteBuffer r =
        ByteBuffer.wrap(SockDiagSocket.request(10, 6, -1, 5)).order(ByteOrder.nativeOrder());

    assertEquals(72, r.capacity());
    assertEquals(72, r.getInt(0));
    assertEquals(20, r.getShort(4));
    assertEquals(0x301, r.getShort(6));
    assertEquals(5, r.getInt(8));
    assertEquals(10, r.get(16));
    assertEquals(6, r.get(17));
    assertEquals(-1, r.getInt(20));
  }
}
