package io.vigil.agent.packet.file;

import java.io.IOException;

/**
 * pcapng: blocks of type, length, body, length. A section header block sets the byte order for the
 * blocks after it and forgets the interfaces before it; interface description blocks number the
 * interfaces packet blocks refer to.
 */
final class PcapngFormat {
  private static final int IDB = 1;
  private static final int OPB = 2;
  private static final int SPB = 3;
  private static final int EPB = 6;
  private static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;

  private final CaptureInput in;
  private final CaptureFileReader counters;
  private boolean big;
  private int count;
  private int[] linkType = new int[4];
  private long[] snaplen = new long[4];

  /** Per interface: timestamp units to nanoseconds, see {@link #toNanos}. */
  private int[] resolution = new int[4];

  private long[] offsetNs = new long[4];

  PcapngFormat(CaptureInput in, CaptureFileReader counters) {
    this.in = in;
    this.counters = counters;
  }

  void read(PacketHandler handler) throws IOException {
    boolean first = true;
    while (true) {
      if (!in.ensure(12)) {
        if (in.available() == 0) {
          return;
        }
        throw in.error("truncated block header (" + in.available() + " bytes)");
      }
      byte[] b = in.array();
      int p = in.pos();
      int type = CaptureInput.i32(b, p, big);
      if (type == CaptureFileReader.PCAPNG_SHB) {
        int bom = CaptureInput.i32(b, p + 8, false);
        if (bom == BYTE_ORDER_MAGIC) {
          big = false;
        } else if (bom == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
          big = true;
        } else {
          throw in.error(String.format("bad section byte-order magic %08x", bom));
        }
      } else if (first) {
        throw in.error("pcapng file does not start with a section header block");
      }
      first = false;
      long len = CaptureInput.u32(b, p + 4, big);
      if (len < 12 || (len & 3) != 0) {
        throw in.error("block length " + len + " (must be a multiple of 4, at least 12)");
      }
      boolean wanted =
          type == CaptureFileReader.PCAPNG_SHB
              || type == IDB
              || type == EPB
              || type == SPB
              || type == OPB;
      if (len > CaptureFileReader.MAX_BLOCK) {
        if (wanted) {
          throw in.error("block of type " + type + " claims " + len + " bytes: over the bound");
        }
        long start = in.offset();
        if (!in.skip(len - 4) || !in.ensure(4)) {
          throw new IOException(in.file() + ": truncated block at offset " + start);
        }
        if (CaptureInput.u32(in.array(), in.pos(), big) != len) {
          throw new IOException(in.file() + ": block trailer length mismatch at offset " + start);
        }
        in.advance(4);
        continue;
      }
      int n = (int) len;
      if (!in.ensure(n)) {
        throw in.error("truncated block (" + in.available() + " of " + n + " bytes)");
      }
      b = in.array();
      p = in.pos();
      if (CaptureInput.u32(b, p + n - 4, big) != len) {
        throw in.error("block trailer length mismatch");
      }
      switch (type) {
        case CaptureFileReader.PCAPNG_SHB -> section(b, p, n);
        case IDB -> iface(b, p, n);
        case EPB -> packet(b, p, n, handler, false);
        case OPB -> packet(b, p, n, handler, true);
        case SPB -> simple(b, p, n, handler);
        default -> {} // name resolution, statistics, journal, custom, ...: not packets
      }
      in.advance(n);
    }
  }

  private void section(byte[] b, int p, int n) throws IOException {
    if (n < 28) {
      throw in.error("section header block of " + n + " bytes");
    }
    int major = CaptureInput.u16(b, p + 12, big);
    if (major != 1) {
      throw in.error("unsupported pcapng version " + major);
    }
    count = 0;
    counters.sectionSeen();
  }

  private void iface(byte[] b, int p, int n) {
    if (n < 20) {
      counters.bad(BadRecord.SHORT_BLOCK);
      return;
    }
    if (count >= CaptureFileReader.MAX_INTERFACES) {
      counters.bad(BadRecord.TOO_MANY_INTERFACES);
      return;
    }
    if (count == linkType.length) {
      int size = count * 2;
      linkType = java.util.Arrays.copyOf(linkType, size);
      snaplen = java.util.Arrays.copyOf(snaplen, size);
      resolution = java.util.Arrays.copyOf(resolution, size);
      offsetNs = java.util.Arrays.copyOf(offsetNs, size);
    }
    int i = count++;
    counters.interfaceSeen();
    linkType[i] = CaptureInput.u16(b, p + 8, big);
    snaplen[i] = CaptureInput.u32(b, p + 12, big);
    resolution[i] = 6; // microseconds unless if_tsresol says otherwise
    offsetNs[i] = 0;
    int o = p + 16;
    int end = p + n - 4;
    while (end - o >= 4) {
      int code = CaptureInput.u16(b, o, big);
      int olen = CaptureInput.u16(b, o + 2, big);
      if (code == 0) {
        break;
      }
      if (olen > end - o - 4) {
        counters.bad(BadRecord.BAD_OPTION);
        break;
      }
      if (code == 9 && olen >= 1) {
        int r = b[o + 4] & 0xff;
        if ((r & 0x80) == 0 ? r > 18 : (r & 0x7f) > 62) {
          counters.bad(BadRecord.BAD_OPTION); // finer than any clock: keep microseconds
        } else {
          resolution[i] = r;
        }
      } else if (code == 14 && olen >= 8) {
        long sec =
            big
                ? ((long) CaptureInput.i32(b, o + 4, true) << 32) | CaptureInput.u32(b, o + 8, true)
                : ((long) CaptureInput.i32(b, o + 8, false) << 32)
                    | CaptureInput.u32(b, o + 4, false);
        offsetNs[i] = sec * 1_000_000_000L;
      }
      o += 4 + ((olen + 3) & ~3);
    }
  }

  private void packet(byte[] b, int p, int n, PacketHandler handler, boolean obsolete) {
    if (n < 32) {
      counters.bad(BadRecord.SHORT_BLOCK);
      return;
    }
    long id = obsolete ? CaptureInput.u16(b, p + 8, big) : CaptureInput.u32(b, p + 8, big);
    long ts = (CaptureInput.u32(b, p + 12, big) << 32) | CaptureInput.u32(b, p + 16, big);
    long caplen = CaptureInput.u32(b, p + 20, big);
    long orig = CaptureInput.u32(b, p + 24, big);
    if (caplen > n - 32) {
      counters.bad(BadRecord.CAPLEN_OVER_BLOCK);
      return;
    }
    if (caplen > CaptureFileReader.MAX_RECORD) {
      counters.bad(BadRecord.CAPLEN_OVER_LIMIT);
      return;
    }
    if (id >= count) {
      counters.bad(BadRecord.UNKNOWN_INTERFACE);
      return;
    }
    int i = (int) id;
    deliver(b, p + 28, (int) caplen, orig, i, toNanos(ts, resolution[i]) + offsetNs[i], handler);
  }

  private void simple(byte[] b, int p, int n, PacketHandler handler) {
    if (n < 16) {
      counters.bad(BadRecord.SHORT_BLOCK);
      return;
    }
    if (count == 0) {
      counters.bad(BadRecord.UNKNOWN_INTERFACE);
      return;
    }
    long orig = CaptureInput.u32(b, p + 8, big);
    long caplen = Math.min(Math.min(orig, n - 16), CaptureFileReader.MAX_RECORD);
    if (snaplen[0] > 0) {
      caplen = Math.min(caplen, snaplen[0]);
    }
    deliver(b, p + 12, (int) caplen, orig, 0, 0, handler);
  }

  private void deliver(
      byte[] b, int off, int len, long orig, int iface, long ts, PacketHandler handler) {
    if (snaplen[iface] > 0 && len > snaplen[iface]) {
      counters.bad(BadRecord.CAPLEN_OVER_SNAPLEN);
    }
    if (orig < len) {
      counters.bad(BadRecord.ORIGLEN_BELOW_CAPLEN);
      orig = len;
    }
    counters.delivered(linkType[iface], len);
    handler.packet(b, off, len, linkType[iface], ts, (int) Math.min(orig, Integer.MAX_VALUE));
  }

  /**
   * Timestamp units to nanoseconds: resolution r with the high bit clear is 10^-r s, with it set
   * 2^-(r & 0x7f) s (if_tsresol).
   */
  static long toNanos(long ticks, int r) {
    if ((r & 0x80) == 0) {
      if (r <= 9) {
        return ticks * POW10[9 - r];
      }
      return Long.divideUnsigned(ticks, POW10[r - 9]);
    }
    int e = r & 0x7f;
    if (e == 0) {
      return ticks * 1_000_000_000L;
    }
    long sec = ticks >>> e;
    long frac = ticks & ((1L << e) - 1);
    long fracNs =
        e <= 33 ? (frac * 1_000_000_000L) >>> e : (long) ((double) frac * 1e9 / Math.scalb(1.0, e));
    return sec * 1_000_000_000L + fracNs;
  }

  private static final long[] POW10 = {
    1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L
  };
}
