package io.vigil.agent.packet.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DnsTcpFramerTest {
  @Test
  void yieldsWholeMessagesAndReportsTheSplitRest() {
    byte[] seg =
        DnsWire.data()
            .u8(0xff) // a byte before the offset, not part of the segment
            .u16(3)
            .bytes(1, 2, 3)
            .u16(0) // empty message: skipped
            .u16(2)
            .bytes(4, 5)
            .u16(10)
            .bytes(6, 7, 8) // 10 announced, 3 present: split
            .build();
    List<byte[]> got = new ArrayList<>();
    int left =
        DnsTcpFramer.frame(
            seg,
            1,
            seg.length - 1,
            (b, off, len) -> got.add(Arrays.copyOfRange(b, off, off + len)));
    assertEquals(2, got.size());
    assertEquals("[1, 2, 3]", Arrays.toString(got.get(0)));
    assertEquals("[4, 5]", Arrays.toString(got.get(1)));
    assertEquals(5, left);
  }

  @Test
  void lonePrefixByteAndEmptySegment() {
    List<Integer> lens = new ArrayList<>();
    assertEquals(1, DnsTcpFramer.frame(new byte[] {0}, 0, 1, (b, o, l) -> lens.add(l)));
    assertEquals(0, DnsTcpFramer.frame(new byte[0], 0, 0, (b, o, l) -> lens.add(l)));
    assertEquals(List.of(), lens);
  }
}
