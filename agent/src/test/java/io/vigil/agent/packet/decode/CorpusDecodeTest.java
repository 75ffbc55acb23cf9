package io.vigil.agent.packet.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.agent.packet.file.CaptureFileReader;
import io.vigil.agent.packet.file.CaptureStats;
import io.vigil.agent.packet.file.Corpus;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CorpusDecodeTest {
  @Test
  void everyCorpusCaptureReadsAndDecodes() throws Exception {
    List<Path> files = Corpus.files();
    CaptureFileReader reader = new CaptureFileReader();
    PacketDecoder decoder = new PacketDecoder();
    DecodedPacket out = new DecodedPacket();
    long[] ip = new long[3];
    Map<Malformed, Long> malformed = new EnumMap<>(Malformed.class);
    Map<Integer, Long> tunnels = new TreeMap<>();
    Map<Integer, Long> protocols = new TreeMap<>();
    Map<String, String> damaged = new TreeMap<>();
    for (Path f : files) {
      try {
        reader.read(
            f,
            (buf, off, len, lt, ts, orig) -> {
              boolean isIp = decoder.decode(buf, off, len, lt, ts, orig, out);
              if (isIp) {
                ip[0]++;
                if (out.fragment) {
                  ip[1]++;
                }
                protocols.merge(out.protocol, 1L, Long::sum);
              } else if (out.malformed != null) {
                malformed.merge(out.malformed, 1L, Long::sum);
              } else {
                ip[2]++;
              }
              if (out.tunnel != 0) {
                tunnels.merge(out.tunnel, 1L, Long::sum);
              }
            });
      } catch (java.io.IOException e) {
        damaged.put(f.getFileName().toString(), e.getMessage());
      }
    }
    damaged.forEach((k, v) -> System.out.println("damaged " + k + ": " + v));
    CaptureStats s = reader.stats();
    System.out.println("files=" + files.size() + " " + s);
    System.out.println("ip=" + ip[0] + " fragments=" + ip[1] + " nonIp=" + ip[2]);
    System.out.println(
        "malformed=" + malformed + " tunnels=" + tunnels + " protocols=" + protocols);
    System.out.println("reasm=" + decoder.reassembler().stats());
    assertEquals(626, files.size());
  }
}
