package io.vigil.agent.packet.file;

import io.vigil.common.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The shared capture corpus: every pcap and pcapng under testdata/pcaps, in a stable order. */
public final class Corpus {
  private Corpus() {}

  /** Every capture file, sorted by path; skips (locally) when the test data is absent. */
  public static List<Path> files() {
    Path root = TestData.require("pcaps");
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One packet, copied out of the reader's buffer. */
  public record Packet(byte[] data, int linkType, long timestampNs, int originalLength) {}

  /**
   * Every packet of every file, copied, in file order; a damaged file contributes the packets
   * before the damage (CorpusDecodeTest pins which files are damaged).
   */
  public static List<Packet> packets() {
    List<Packet> out = new ArrayList<>();
    CaptureFileReader reader = new CaptureFileReader();
    for (Path f : files()) {
      try {
        reader.read(
            f,
            (buf, off, len, lt, ts, orig) ->
                out.add(
                    new Packet(java.util.Arrays.copyOfRange(buf, off, off + len), lt, ts, orig)));
      } catch (IOException e) {
        // the packets before the damage were delivered
      }
    }
    return out;
  }
}
