package io.vigil.agent.packet.fuzz;

import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.agent.packet.decode.LinkType;
import io.vigil.agent.packet.decode.PacketDecoder;
import io.vigil.agent.packet.dns.DnsMessage;
import io.vigil.agent.packet.dns.DnsParser;
import io.vigil.agent.packet.file.CaptureFileReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/** Every decoder Vigil fuzzes: its name, seeds and how one input is run. */
final class FuzzTargets {
  /** The link types a frame input may select with its first byte. */
  static final int[] LINK_TYPES = {
    LinkType.ETHERNET,
    LinkType.NULL,
    LinkType.LOOP,
    LinkType.RAW,
    LinkType.IPV4,
    LinkType.IPV6,
    LinkType.LINUX_SLL,
    LinkType.LINUX_SLL2,
    LinkType.C_HDLC
  };

  private FuzzTargets() {}

  static List<FuzzTarget> all() {
    List<FuzzTarget> out = new ArrayList<>();
    out.add(of("frame", FuzzTargets::frameSeeds, FuzzTargets::frame));
    out.add(of("dns", () -> SeedCapture.get().udpPayloads, FuzzTargets::dns));
    out.add(of("capture-file", FuzzTargets::fileSeeds, FuzzTargets::captureFile));
    out.addAll(StreamFuzzTargets.all());
    return out;
  }

  static FuzzTarget byName(String name) {
    return all().stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no fuzz target " + name));
  }

  static FuzzTarget of(String name, Supplier<List<byte[]>> seeds, Function<byte[], String> run) {
    return new FuzzTarget() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public List<byte[]> seeds() {
        return seeds.get();
      }

      @Override
      public String run(byte[] input) {
        return run.apply(input);
      }
    };
  }

  /** First byte: index into {@link #LINK_TYPES}; the rest: the frame. */
  private static List<byte[]> frameSeeds() {
    List<byte[]> out = new ArrayList<>();
    for (SeedCapture.Frame f : SeedCapture.get().frames) {
      byte[] in = new byte[f.data().length + 1];
      in[0] = (byte) indexOf(f.linkType());
      System.arraycopy(f.data(), 0, in, 1, f.data().length);
      out.add(in);
    }
    return out;
  }

  private static int indexOf(int linkType) {
    for (int i = 0; i < LINK_TYPES.length; i++) {
      if (LINK_TYPES[i] == linkType) {
        return i;
      }
    }
    throw new IllegalArgumentException("link type " + linkType);
  }

  private static String frame(byte[] in) {
    if (in.length == 0) {
      return "empty";
    }
    int linkType = LINK_TYPES[(in[0] & 0xff) % LINK_TYPES.length];
    DecodedPacket p = new DecodedPacket();
    boolean ip = new PacketDecoder().decode(in, 1, in.length - 1, linkType, 0L, in.length - 1, p);
    return linkType
        + (ip ? " ip" + p.ipVersion + "/" + p.protocol + "/" + p.tunnel : " -")
        + (p.malformed == null ? "" : " " + p.malformed.label());
  }

  private static String dns(byte[] in) {
    DnsMessage m = DnsParser.parse(in, 0, in.length);
    return (m.isResponse() ? "r" : "q")
        + m.questions().size()
        + "/"
        + Math.min(m.answers().size(), 3)
        + (m.malformed() == null ? "" : " " + m.malformed());
  }

  private static List<byte[]> fileSeeds() {
    try {
      return List.of(Files.readAllBytes(SeedCapture.FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String captureFile(byte[] in) {
    try {
      Path f = Files.createTempFile("vigil-fuzz-", ".pcap");
      try {
        Files.write(f, in);
        CaptureFileReader r = new CaptureFileReader();
        long[] n = new long[1];
        r.read(f, (data, off, len, linkType, ts, orig) -> n[0]++);
        return Math.min(n[0], 4) + " " + r.stats().badRecords().keySet();
      } finally {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      // a damaged file is an IOException by contract: an outcome, not a crash
      return "io " + e.getClass().getSimpleName();
    }
  }
}
