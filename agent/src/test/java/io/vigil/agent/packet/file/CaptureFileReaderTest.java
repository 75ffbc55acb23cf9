package io.vigil.agent.packet.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureFileReaderTest {
  @TempDir Path dir;

  private final CaptureFileReader reader = new CaptureFileReader();
  private final List<Corpus.Packet> got = new ArrayList<>();

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private void read(Path file) throws IOException {
    reader.read(
        file,
        (buf, off, len, lt, ts, orig) ->
            got.add(new Corpus.Packet(Arrays.copyOfRange(buf, off, off + len), lt, ts, orig)));
  }

  private static byte[] data(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (seed + i);
    }
    return b;
  }

  @Test
  void pcapInBothByteOrdersAndResolutions() throws IOException {
    for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
      for (boolean nanos : new boolean[] {false, true}) {
        got.clear();
        byte[] file =
            new CaptureFiles.Pcap(order, nanos, 65535, 113)
                .record(1_700_000_000L, 123_456, data(60, 1), 60)
                .record(1_700_000_001L, 999_999, data(33, 2), 1500)
                .bytes();
        read(write("a.pcap", file));
        assertEquals(2, got.size());
        long scale = nanos ? 1 : 1000;
        assertEquals(1_700_000_000_000_000_000L + 123_456 * scale, got.get(0).timestampNs());
        assertEquals(113, got.get(0).linkType());
        assertArrayEquals(data(60, 1), got.get(0).data());
        assertEquals(1500, got.get(1).originalLength());
        assertArrayEquals(data(33, 2), got.get(1).data());
      }
    }
    CaptureStats s = reader.stats();
    assertEquals(4, s.files());
    assertEquals(8, s.packets());
    assertEquals(4 * 93, s.bytes());
    assertEquals(Map.of(113, 8L), s.packetsByLinkType());
    assertEquals(4, s.interfaces());
    assertEquals(0, s.badRecordTotal());
  }

  @Test
  void pcapDamagedRecordsAreCountedAndDelivered() throws IOException {
    byte[] file =
        new CaptureFiles.Pcap(ByteOrder.LITTLE_ENDIAN, false, 64, 1)
            .record(1, 0, data(100, 0), 100) // over the snap length
            .record(1, 0, data(50, 0), 40) // original below captured
            .record(1, 2_000_000, data(10, 0), 10) // two seconds in the microseconds
            .bytes();
    read(write("d.pcap", file));
    assertEquals(3, got.size());
    assertEquals(50, got.get(1).originalLength());
    assertEquals(
        Map.of(
            BadRecord.CAPLEN_OVER_SNAPLEN, 1L,
            BadRecord.ORIGLEN_BELOW_CAPLEN, 1L,
            BadRecord.BAD_TIMESTAMP, 1L),
        reader.stats().badRecords());
  }

  @Test
  void truncatedPcapDeliversGoodPacketsThenFailsWithTheOffset() throws IOException {
    byte[] whole =
        new CaptureFiles.Pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
            .record(1, 0, data(100, 0), 100)
            .record(2, 0, data(100, 0), 100)
            .bytes();
    Path cut = write("cut.pcap", Arrays.copyOf(whole, whole.length - 1));
    IOException e = assertThrows(IOException.class, () -> read(cut));
    assertEquals(1, got.size());
    assertTrue(
        e.getMessage().contains("truncated record") && e.getMessage().contains("offset 140"));
    got.clear();
    Path cutHeader = write("cuth.pcap", Arrays.copyOf(whole, 24 + 116 + 5));
    e = assertThrows(IOException.class, () -> read(cutHeader));
    assertEquals(1, got.size());
    assertTrue(e.getMessage().contains("truncated record header"), e.getMessage());
    Path garbage =
        write(
            "g.pcap",
            new CaptureFiles.Pcap(ByteOrder.LITTLE_ENDIAN, false, 65535, 1)
                .record(1, 0, data(10, 0), 10)
                .raw(data(64, 0x7f))
                .bytes());
    got.clear();
    e = assertThrows(IOException.class, () -> read(garbage));
    assertEquals(1, got.size());
    assertTrue(e.getMessage().contains("offset 50"), e.getMessage());
  }

  @Test
  void notACaptureFile() throws IOException {
    IOException e =
        assertThrows(IOException.class, () -> read(write("x.txt", "hello world".getBytes())));
    assertTrue(e.getMessage().contains("not a pcap or pcapng file"), e.getMessage());
    assertThrows(IOException.class, () -> read(write("empty", new byte[0])));
    assertThrows(
        IOException.class,
        () ->
            read(
                write(
                    "short", new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2})));
  }

  @Test
  void pcapngSectionsInterfacesAndBlockKinds() throws IOException {
    byte[] file =
        new CaptureFiles.Pcapng()
            .section(ByteOrder.LITTLE_ENDIAN)
            .iface(1, 65535, -1, 0) // microseconds
            .iface(101, 128, 9, 0) // nanoseconds, snap length 128
            .block(5, new byte[24]) // interface statistics: skipped
            .epb(0, 1_700_000_000_123_456L, data(60, 1), 60)
            .epb(1, 1_700_000_000_123_456_789L, data(40, 2), 40)
            .spb(data(30, 3), 30)
            .epb(2, 0, data(10, 0), 10) // no such interface
            .epb(0, 0, data(300_000, 0), 300_000) // over the per-packet bound
            .section(ByteOrder.BIG_ENDIAN) // interfaces start over
            .iface(276, 0, 0x8a, 100) // 2^-10 s, 100 s offset
            .opb(0, 1024L * 5 + 512, data(21, 4), 64)
            .epb(1, 0, data(10, 0), 10) // interface 1 was the previous section's
            .bytes();
    read(write("a.pcapng", file));
    assertEquals(4, got.size());
    assertEquals(1, got.get(0).linkType());
    assertEquals(1_700_000_000_123_456_000L, got.get(0).timestampNs());
    assertArrayEquals(data(60, 1), got.get(0).data());
    assertEquals(101, got.get(1).linkType());
    assertEquals(1_700_000_000_123_456_789L, got.get(1).timestampNs());
    assertEquals(1, got.get(2).linkType()); // simple packet blocks are interface 0's
    assertEquals(0, got.get(2).timestampNs());
    assertArrayEquals(data(30, 3), got.get(2).data());
    assertEquals(276, got.get(3).linkType());
    assertEquals(105_500_000_000L, got.get(3).timestampNs());
    assertEquals(64, got.get(3).originalLength());
    assertArrayEquals(data(21, 4), got.get(3).data());
    CaptureStats s = reader.stats();
    assertEquals(2, s.sections());
    assertEquals(3, s.interfaces());
    assertEquals(Map.of(1, 2L, 101, 1L, 276, 1L), s.packetsByLinkType());
    assertEquals(
        Map.of(BadRecord.UNKNOWN_INTERFACE, 2L, BadRecord.CAPLEN_OVER_LIMIT, 1L), s.badRecords());
  }

  @Test
  void pcapngFramingErrors() throws IOException {
    byte[] good =
        new CaptureFiles.Pcapng()
            .section(ByteOrder.LITTLE_ENDIAN)
            .iface(1, 0, -1, 0)
            .epb(0, 0, data(60, 1), 60)
            .bytes();
    int end = good.length;
    // A block length that is not a multiple of 4.
    byte[] bad = Arrays.copyOf(good, end + 12);
    bad[end] = 6;
    bad[end + 4] = 13;
    IOException e = assertThrows(IOException.class, () -> read(write("b.pcapng", bad)));
    assertEquals(1, got.size());
    assertTrue(e.getMessage().contains("offset " + end), e.getMessage());
    // A trailer that disagrees with the header.
    byte[] trailer = good.clone();
    trailer[end - 4] = 99;
    got.clear();
    assertThrows(IOException.class, () -> read(write("t.pcapng", trailer)));
    assertEquals(0, got.size());
    // Cut in the middle of a block.
    got.clear();
    e =
        assertThrows(
            IOException.class, () -> read(write("c.pcapng", Arrays.copyOf(good, end - 8))));
    assertTrue(e.getMessage().contains("truncated block"), e.getMessage());
    // Bad byte-order magic.
    byte[] bom = good.clone();
    bom[8] = 0;
    assertThrows(IOException.class, () -> read(write("m.pcapng", bom)));
    // A packet block claiming more than the bound.
    byte[] huge = Arrays.copyOf(good, end + 12);
    huge[end] = 6;
    huge[end + 6] = 0x20; // 2 MiB
    e = assertThrows(IOException.class, () -> read(write("h.pcapng", huge)));
    assertTrue(e.getMessage().contains("over the bound"), e.getMessage());
  }

  @Test
  void recordsOverTheBoundAreNotCaptures() throws IOException {
    byte[] header = new CaptureFiles.Pcap(ByteOrder.LITTLE_ENDIAN, false, 0, 1).bytes();
    byte[] rec = new byte[16];
    java.nio.ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 300_000);
    IOException e =
        assertThrows(IOException.class, () -> read(write("big.pcap", concat(header, rec))));
    assertTrue(e.getMessage().contains("offset 24"), e.getMessage());
  }

  @Test
  void filesLargerThanTheBufferStream() throws IOException {
    CaptureFiles.Pcap pcap = new CaptureFiles.Pcap(ByteOrder.BIG_ENDIAN, true, 65535, 1);
    int n = 5000;
    for (int i = 0; i < n; i++) {
      pcap.record(i, i, data(1000 + i % 700, i), 2000);
    }
    byte[] bytes = pcap.bytes();
    assertTrue(bytes.length > CaptureFileReader.BUFFER_SIZE);
    long[] seen = new long[2];
    reader.read(
        write("large.pcap", bytes),
        (buf, off, len, lt, ts, orig) -> {
          int i = (int) seen[0]++;
          if (len != 1000 + i % 700
              || buf[off] != (byte) i
              || buf[off + len - 1] != (byte) (i + len - 1)
              || ts != i * 1_000_000_001L) {
            seen[1]++;
          }
        });
    assertEquals(n, seen[0]);
    assertEquals(0, seen[1]);
  }

  @Test
  void corpusPcapngFilesRead() throws IOException {
    Path ja4 = Corpus.files().get(0).getParent().getParent().resolve("ja4");
    read(ja4.resolve("tls-sni.pcapng"));
    assertEquals(84, got.size());
    assertEquals(1_675_707_151_805_776_000L, got.get(0).timestampNs());
    got.clear();
    read(ja4.resolve("chrome-cloudflare-quic-with-secrets.pcapng"));
    assertEquals(83, got.size());
    assertEquals(1_668_114_405_114_955_000L, got.get(0).timestampNs());
    CaptureStats s = reader.stats();
    assertEquals(2, s.sections());
    assertEquals(2, s.interfaces());
    assertEquals(Map.of(1, 167L), s.packetsByLinkType());
    assertEquals(0, s.badRecordTotal());
  }

  @Test
  void timestampResolutions() {
    assertEquals(1_500_000_000L, PcapngFormat.toNanos(1500, 3));
    assertEquals(1_500L, PcapngFormat.toNanos(1500, 9));
    assertEquals(15L, PcapngFormat.toNanos(1500, 11));
    assertEquals(1_500_000_000_000L, PcapngFormat.toNanos(1500, 0));
    assertEquals(1_500_000_000L, PcapngFormat.toNanos(3, 0x81)); // halves of a second
    assertEquals(
        2_000_000_000L + 500_000_000L, PcapngFormat.toNanos((2L << 40) + (1L << 39), 0xa8));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
