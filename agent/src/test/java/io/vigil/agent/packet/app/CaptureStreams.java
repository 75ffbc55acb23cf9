package io.vigil.agent.packet.app;

import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.agent.packet.decode.PacketDecoder;
import io.vigil.agent.packet.file.CaptureFileReader;
import io.vigil.agent.packet.http.HttpDatagrams;
import io.vigil.agent.packet.http.HttpOptions;
import io.vigil.agent.packet.http.HttpStats;
import io.vigil.agent.packet.http.HttpTransaction;
import io.vigil.agent.packet.stream.ReassemblyBudget;
import io.vigil.agent.packet.stream.StreamOptions;
import io.vigil.agent.packet.stream.StreamStats;
import io.vigil.agent.packet.stream.TcpConnection;
import io.vigil.agent.packet.stream.TcpStreams;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test harness: a capture file through the real reader and decoder into a {@link TcpStreams} table
 * with {@link AppAnalyzer}s, collecting what they find. The integrator moves this wiring into the
 * packet pipeline; here it is only what the corpus tests need.
 */
final class CaptureStreams {
  /** One classified layer. */
  record Layer(TcpConnection connection, AppProtocol protocol, Tunnel via) {}

  /** What one capture gave. */
  record Result(
      List<HttpTransaction> http,
      List<HttpTransaction> udpHttp,
      List<Layer> layers,
      List<Tunnel> tunnels,
      StreamStats streams,
      AppStats app,
      HttpStats httpStats,
      String readError) {}

  private final CaptureFileReader reader = new CaptureFileReader();
  private final PacketDecoder decoder = new PacketDecoder();
  private final DecodedPacket packet = new DecodedPacket();

  Result run(Path file, TlsConsumer.Factory tls) {
    List<HttpTransaction> http = new ArrayList<>();
    List<HttpTransaction> udpHttp = new ArrayList<>();
    List<Layer> layers = new ArrayList<>();
    List<Tunnel> tunnels = new ArrayList<>();
    AppListener listener =
        new AppListener() {
          @Override
          public void detected(TcpConnection c, AppProtocol p, Tunnel via, long ts) {
            layers.add(new Layer(c, p, via));
          }

          @Override
          public void tunnel(TcpConnection c, Tunnel t, long ts) {
            tunnels.add(t);
          }

          @Override
          public void http(TcpConnection c, Tunnel via, HttpTransaction t) {
            http.add(t);
          }
        };
    AppAnalyzerFactory factory = new AppAnalyzerFactory(listener, tls, AppOptions.defaults());
    TcpStreams streams =
        new TcpStreams(
            StreamOptions.defaults(),
            new ReassemblyBudget(ReassemblyBudget.DEFAULT_BYTES),
            factory);
    String error = null;
    try {
      reader.read(
          file,
          (buf, off, len, linkType, ts, orig) -> {
            if (decoder.decode(buf, off, len, linkType, ts, orig, packet)) {
              streams.packet(packet);
              udp(packet, udpHttp);
            }
          });
    } catch (IOException e) {
      // A damaged capture: every packet before the damage was delivered; analyse those.
      error = e.getMessage();
    }
    streams.finish();
    return new Result(
        http,
        udpHttp,
        layers,
        tunnels,
        streams.stats(),
        factory.stats(),
        factory.httpStats(),
        error);
  }

  /** HTTP over UDP (SSDP): a datagram whose content is an HTTP request or status line. */
  private static void udp(DecodedPacket p, List<HttpTransaction> out) {
    if (p.protocol != 17 || p.fragment || p.malformed != null || p.payloadLength == 0) {
      return;
    }
    byte[] b = p.payload;
    int off = p.payloadOffset;
    int len = p.payloadLength;
    if (ProtocolDetector.client(b, off, len) == ProtocolDetector.Detection.HTTP
        || ProtocolDetector.server(b, off, len) == ProtocolDetector.Detection.HTTP) {
      HttpTransaction t = HttpDatagrams.parse(b, off, len, p.timestampNs, HttpOptions.defaults());
      if (t != null) {
        out.add(t);
      }
    }
  }
}
