package io.vigil.agent.packet.file;

import java.io.IOException;

/** Classic pcap: a 24-byte file header, then 16-byte record headers each followed by its data. */
final class PcapFormat {
  private final CaptureInput in;
  private final CaptureFileReader counters;

  PcapFormat(CaptureInput in, CaptureFileReader counters) {
    this.in = in;
    this.counters = counters;
  }

  void read(PacketHandler handler) throws IOException {
    if (!in.ensure(24)) {
      throw in.error("truncated pcap file header (" + in.available() + " of 24 bytes)");
    }
    byte[] b = in.array();
    int p = in.pos();
    int magic = CaptureInput.i32(b, p, true);
    boolean big = magic == CaptureFileReader.PCAP_US || magic == CaptureFileReader.PCAP_NS;
    boolean nanos =
        magic == CaptureFileReader.PCAP_NS
            || Integer.reverseBytes(magic) == CaptureFileReader.PCAP_NS;
    int major = CaptureInput.u16(b, p + 4, big);
    if (major != 2) {
      throw in.error("unsupported pcap version " + major);
    }
    long snaplen = CaptureInput.u32(b, p + 16, big);
    // The low 16 bits are the link type; the high bits may carry the FCS length (pcap 1.x).
    int linkType = CaptureInput.i32(b, p + 20, big) & 0xffff;
    counters.interfaceSeen();
    in.advance(24);
    long fracLimit = nanos ? 1_000_000_000L : 1_000_000L;
    long fracScale = nanos ? 1 : 1000;
    while (true) {
      if (!in.ensure(16)) {
        if (in.available() == 0) {
          return;
        }
        throw in.error("truncated record header (" + in.available() + " of 16 bytes)");
      }
      b = in.array();
      p = in.pos();
      long sec = CaptureInput.u32(b, p, big);
      long frac = CaptureInput.u32(b, p + 4, big);
      long incl = CaptureInput.u32(b, p + 8, big);
      long orig = CaptureInput.u32(b, p + 12, big);
      if (incl > CaptureFileReader.MAX_RECORD) {
        throw in.error(
            "record claims "
                + incl
                + " captured bytes (the bound is "
                + CaptureFileReader.MAX_RECORD
                + "): not a pcap record");
      }
      int len = (int) incl;
      if (!in.ensure(16 + len)) {
        throw in.error("truncated record (" + (in.available() - 16) + " of " + len + " bytes)");
      }
      if (snaplen > 0 && incl > snaplen) {
        counters.bad(BadRecord.CAPLEN_OVER_SNAPLEN);
      }
      if (orig < incl) {
        counters.bad(BadRecord.ORIGLEN_BELOW_CAPLEN);
        orig = incl;
      }
      if (frac >= fracLimit) {
        counters.bad(BadRecord.BAD_TIMESTAMP);
      }
      long ts = sec * 1_000_000_000L + frac * fracScale;
      b = in.array();
      p = in.pos();
      counters.delivered(linkType, len);
      handler.packet(b, p + 16, len, linkType, ts, (int) Math.min(orig, Integer.MAX_VALUE));
      in.advance(16 + len);
    }
  }
}
