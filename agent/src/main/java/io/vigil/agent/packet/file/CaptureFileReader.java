package io.vigil.agent.packet.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads classic pcap (microsecond and nanosecond magic, either byte order) and pcapng (sections in
 * either byte order, interfaces with their link type, snap length and timestamp resolution;
 * enhanced, simple and obsolete packet blocks; other blocks skipped) files, handing each packet to
 * a {@link PacketHandler}. The format is told by the file's first four bytes.
 *
 * <p>Streaming: the file goes through one {@value #BUFFER_SIZE}-byte buffer, never whole into
 * memory, and packets are handed over as slices of that buffer (see {@link PacketHandler}). The
 * buffer is allocated on the first read and reused for every file after it.
 *
 * <p>Bounds: a pcap record of more than {@value #MAX_RECORD} captured bytes, and a pcapng block of
 * more than {@value #MAX_BLOCK} bytes that carries packets or interfaces, is not a capture (an
 * error); a pcapng packet of more than {@value #MAX_RECORD} bytes in a smaller block is skipped and
 * counted; at most {@value #MAX_INTERFACES} interfaces per pcapng section. A damaged record whose
 * framing is intact is counted by reason ({@link BadRecord}) and the reading goes on; damage that
 * loses the framing (a file cut mid-record, a length that cannot be, garbage) ends {@link #read}
 * with an {@link IOException} naming the file and offset, after every good packet before it was
 * delivered.
 *
 * <p>Counters accumulate over every file read by one reader ({@link #stats}). Not thread-safe: one
 * reader per thread.
 */
public final class CaptureFileReader {
  /** The read buffer. */
  public static final int BUFFER_SIZE = 4 << 20;

  /** The most captured bytes in one packet. */
  public static final int MAX_RECORD = 256 * 1024;

  /** The largest pcapng block read whole (packet, interface and section blocks). */
  public static final int MAX_BLOCK = 1 << 20;

  /** The most interfaces in one pcapng section. */
  public static final int MAX_INTERFACES = 4096;

  static final int PCAP_US = 0xa1b2c3d4;
  static final int PCAP_NS = 0xa1b23c4d;
  static final int PCAPNG_SHB = 0x0a0d0d0a;

  private ByteBuffer buffer; // allocated on first use, reused for every file

  private long files;
  private long packets;
  private long bytes;
  private final Map<Integer, long[]> byLinkType = new HashMap<>();
  private int lastLinkType = -1;
  private long[] lastLinkCounter;
  private final long[] bad = new long[BadRecord.values().length];
  private long interfaces;
  private long sections;

  /**
   * Reads one file, calling the handler for each packet in file order.
   *
   * @throws IOException when the file cannot be read, is not pcap or pcapng, or is truncated or
   *     damaged past recovery (the message names the file and the offset)
   */
  public void read(Path file, PacketHandler handler) throws IOException {
    files++;
    if (buffer == null) {
      buffer = ByteBuffer.allocate(BUFFER_SIZE);
    }
    try (CaptureInput in = new CaptureInput(file, buffer)) {
      if (!in.ensure(4)) {
        throw in.error("not a capture file: " + in.available() + " bytes");
      }
      int magicLe = CaptureInput.i32(in.array(), in.pos(), false);
      if (magicLe == PCAPNG_SHB) {
        new PcapngFormat(in, this).read(handler);
      } else if (magicLe == PCAP_US
          || magicLe == PCAP_NS
          || Integer.reverseBytes(magicLe) == PCAP_US
          || Integer.reverseBytes(magicLe) == PCAP_NS) {
        new PcapFormat(in, this).read(handler);
      } else {
        throw in.error(String.format("not a pcap or pcapng file (magic %08x)", magicLe));
      }
    }
  }

  /** The counters so far. */
  public CaptureStats stats() {
    Map<Integer, Long> links = new HashMap<>();
    byLinkType.forEach((k, v) -> links.put(k, v[0]));
    Map<BadRecord, Long> reasons = new EnumMap<>(BadRecord.class);
    for (BadRecord r : BadRecord.values()) {
      if (bad[r.ordinal()] > 0) {
        reasons.put(r, bad[r.ordinal()]);
      }
    }
    return new CaptureStats(files, packets, bytes, links, reasons, interfaces, sections);
  }

  void delivered(int linkType, int len) {
    packets++;
    bytes += len;
    if (linkType != lastLinkType) {
      lastLinkCounter = byLinkType.computeIfAbsent(linkType, k -> new long[1]);
      lastLinkType = linkType;
    }
    lastLinkCounter[0]++;
  }

  void bad(BadRecord reason) {
    bad[reason.ordinal()]++;
  }

  void interfaceSeen() {
    interfaces++;
  }

  void sectionSeen() {
    sections++;
  }
}
