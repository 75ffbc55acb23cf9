package io.vigil.agent.packet.fuzz;

import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.agent.packet.decode.PacketDecoder;
import io.vigil.agent.packet.file.CaptureFileReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fuzzers' seed capture, {@code src/test/resources/fuzz/seeds.pcap}, recorded on this machine
 * by {@code bench/fuzz/record-seeds.sh} (TLS 1.3 and 1.2 handshakes, plain HTTP, DNS queries on
 * loopback), read once: its frames, and the TCP payload of each connection direction in order.
 */
final class SeedCapture {
  static final Path FILE = Path.of("src", "test", "resources", "fuzz", "seeds.pcap");

  /** One frame as captured, with its link type. */
  record Frame(int linkType, byte[] data) {}

  private static volatile SeedCapture loaded;

  final List<Frame> frames = new ArrayList<>();

  /** UDP payloads. */
  final List<byte[]> udpPayloads = new ArrayList<>();

  /** Per TCP direction ("src:port>dst:port"), the payload bytes in capture order. */
  final Map<String, byte[]> tcpStreams = new LinkedHashMap<>();

  private SeedCapture() {}

  static SeedCapture get() {
    SeedCapture s = loaded;
    if (s == null) {
      s = read();
      loaded = s;
    }
    return s;
  }

  private static SeedCapture read() {
    if (!Files.isRegularFile(FILE)) {
      throw new IllegalStateException(
          FILE.toAbsolutePath() + " missing (bench/fuzz/record-seeds.sh records it)");
    }
    SeedCapture s = new SeedCapture();
    PacketDecoder decoder = new PacketDecoder();
    DecodedPacket p = new DecodedPacket();
    try {
      new CaptureFileReader()
          .read(
              FILE,
              (data, off, len, linkType, ts, orig) -> {
                byte[] frame = Arrays.copyOfRange(data, off, off + len);
                s.frames.add(new Frame(linkType, frame));
                if (!decoder.decode(frame, 0, frame.length, linkType, ts, orig, p)
                    || p.payloadLength == 0) {
                  return;
                }
                byte[] payload =
                    Arrays.copyOfRange(
                        p.payload, p.payloadOffset, p.payloadOffset + p.payloadLength);
                if (p.protocol == 17) {
                  s.udpPayloads.add(payload);
                } else if (p.protocol == 6) {
                  String key = p.srcPort + ">" + p.dstPort;
                  s.tcpStreams.merge(key, payload, SeedCapture::concat);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return s;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
