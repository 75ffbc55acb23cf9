package io.vigil.agent.packet.fuzz;

import io.vigil.agent.packet.PacketPipeline;
import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.agent.packet.http.HttpCounters;
import io.vigil.agent.packet.http.HttpOptions;
import io.vigil.agent.packet.http.HttpParser;
import io.vigil.agent.packet.quic.QuicClientHelloAssembler;
import io.vigil.agent.packet.quic.QuicServerHelloAssembler;
import io.vigil.agent.packet.tls.ClientHello;
import io.vigil.agent.packet.tls.HandshakeType;
import io.vigil.agent.packet.tls.ServerCertificate;
import io.vigil.agent.packet.tls.ServerHello;
import io.vigil.agent.packet.tls.TlsConversation;
import io.vigil.agent.packet.tls.TlsParseException;
import io.vigil.agent.packet.tls.TlsRecordAssembler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Fuzz targets above the packet decoder: TLS messages and conversations, HTTP, QUIC Initials, and
 * the whole pipeline (TCP reassembly, detection by content, tunnels, every analyzer) on sequences
 * of frames. Seeds come from the seed capture recorded here and from the QUIC RFCs' example
 * packets.
 */
final class StreamFuzzTargets {
  private static final Path QUIC_VECTORS = Path.of("src", "test", "resources", "golden", "quic");

  private StreamFuzzTargets() {}

  static List<FuzzTarget> all() {
    return List.of(
        FuzzTargets.of(
            "client-hello",
            () -> messages(false, HandshakeType.CLIENT_HELLO),
            in -> {
              try {
                ClientHello h = ClientHello.parse(in);
                return "ok " + Math.min(h.extensions().size(), 8) + " " + (h.serverName() != null);
              } catch (TlsParseException e) {
                return "malformed " + e.reason();
              }
            }),
        FuzzTargets.of(
            "server-hello",
            () -> messages(true, HandshakeType.SERVER_HELLO),
            in -> {
              try {
                ServerHello h = ServerHello.parse(in);
                return "ok " + h.isTls13() + " " + h.helloRetryRequest();
              } catch (TlsParseException e) {
                return "malformed " + e.reason();
              }
            }),
        FuzzTargets.of(
            "certificate",
            () -> messages(true, HandshakeType.CERTIFICATE),
            in -> {
              try {
                return ServerCertificate.parse(in).map(c -> "ok " + c.decoded()).orElse("empty");
              } catch (TlsParseException e) {
                return "malformed " + e.reason();
              }
            }),
        FuzzTargets.of(
            "tls-conversation", StreamFuzzTargets::conversations, StreamFuzzTargets::tls),
        FuzzTargets.of("http", StreamFuzzTargets::conversations, StreamFuzzTargets::http),
        FuzzTargets.of("quic", StreamFuzzTargets::quicSeeds, StreamFuzzTargets::quic),
        FuzzTargets.of("pipeline", StreamFuzzTargets::pipelineSeeds, StreamFuzzTargets::pipeline));
  }

  /** The handshake message bodies of one type in the seed capture's TLS streams. */
  private static List<byte[]> messages(boolean fromServer, int type) {
    List<byte[]> out = new ArrayList<>();
    for (Map.Entry<String, byte[]> s : SeedCapture.get().tcpStreams.entrySet()) {
      TlsRecordAssembler a =
          new TlsRecordAssembler(
              (t, body) -> {
                if (t == type) {
                  out.add(body);
                }
              });
      byte[] b = s.getValue();
      a.feed(b, 0, b.length);
    }
    return out;
  }

  /** Every connection of the seed capture, both directions, in chunks of 100 and of 1400. */
  private static List<byte[]> conversations() {
    List<byte[]> out = new ArrayList<>();
    Map<String, byte[]> streams = SeedCapture.get().tcpStreams;
    for (Map.Entry<String, byte[]> s : streams.entrySet()) {
      String[] ports = s.getKey().split(">");
      if (Integer.parseInt(ports[0]) < Integer.parseInt(ports[1])) {
        continue; // the server's side: taken with its client's
      }
      byte[] server = streams.getOrDefault(ports[1] + ">" + ports[0], new byte[0]);
      out.add(Conversation.of(s.getValue(), server, 100));
      out.add(Conversation.of(s.getValue(), server, 1400));
    }
    return out;
  }

  private static String tls(byte[] in) {
    int[] seen = new int[3];
    TlsConversation c =
        new TlsConversation(
            new TlsConversation.Listener() {
              @Override
              public void clientHello(ClientHello hello) {
                seen[0] = 1;
              }

              @Override
              public void serverHello(ServerHello hello) {
                seen[1] = 1;
              }

              @Override
              public void serverCertificate(ServerCertificate certificate) {
                seen[2] = 1;
              }
            });
    Conversation.replay(
        in,
        (server, b, off, len) -> {
          if (server) {
            c.serverBytes(b, off, len);
          } else {
            c.clientBytes(b, off, len);
          }
        });
    return seen[0] + "" + seen[1] + seen[2] + " " + c.client().state() + " " + c.server().state();
  }

  private static String http(byte[] in) {
    int[] n = new int[2];
    HttpParser p =
        new HttpParser(
            t -> {
              n[0]++;
              n[1] |= (t.request() == null ? 1 : 0) | (t.response() == null ? 2 : 0);
            },
            HttpOptions.defaults(),
            new HttpCounters());
    long[] ts = {0};
    Conversation.replay(
        in,
        (server, b, off, len) -> {
          ts[0] += 1000;
          if (server) {
            p.server(b, off, len, ts[0]);
          } else {
            p.client(b, off, len, ts[0]);
          }
        });
    p.end(ts[0] + 1000);
    return Math.min(n[0], 4) + "/" + n[1] + " " + p.tunnelled();
  }

  /**
   * The QUIC RFCs' client Initials (v1, v2, draft-29), one datagram each, the v1 and v2 ones
   * followed by the server's Initial of the same RFC.
   */
  private static List<byte[]> quicSeeds() {
    return List.of(
        Conversation.of(
            quicVector("rfc9001-a2-client-initial.hex"),
            quicVector("rfc9001-a3-server-initial.hex"),
            1200),
        Conversation.of(
            quicVector("rfc9369-a2-client-initial.hex"),
            quicVector("rfc9369-a3-server-initial.hex"),
            1200),
        Conversation.of(quicVector("draft29-client-initial.hex"), new byte[0], 1200));
  }

  private static byte[] quicVector(String file) {
    try {
      String hex = Files.readString(QUIC_VECTORS.resolve(file), StandardCharsets.US_ASCII);
      return HexFormat.of().parseHex(hex.replaceAll("(?m)#.*$", "").replaceAll("\\s", ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Chunks are datagrams: the client's to a ClientHello assembler, the server's to a ServerHello
   * assembler keyed on the client's connection ID once one is known (before, they are dropped, as
   * {@code QuicHandshakes} does).
   */
  private static String quic(byte[] in) {
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    QuicServerHelloAssembler[] s = new QuicServerHelloAssembler[1];
    Conversation.replay(
        in,
        (server, b, off, len) -> {
          if (!server) {
            a.offer(b, off, len);
          } else if (s[0] != null || a.keyDcid().isPresent()) {
            if (s[0] == null) {
              s[0] = new QuicServerHelloAssembler(a.keyDcid().get());
            }
            s[0].offer(b, off, len);
          }
        });
    return a.state()
        + " "
        + a.giveUpReason().map(Enum::name).orElse("")
        + (s[0] == null ? "" : " " + s[0].state() + " " + s[0].serverHello().isPresent());
  }

  /** The seed capture's frames, each {@code [length: 2 bytes][frame]}, Ethernet. */
  private static List<byte[]> pipelineSeeds() {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (SeedCapture.Frame f : SeedCapture.get().frames) {
      all.write(f.data().length >>> 8);
      all.write(f.data().length);
      all.write(f.data(), 0, f.data().length);
    }
    return List.of(all.toByteArray());
  }

  private static String pipeline(byte[] in) {
    int[] kinds = new int[4];
    PacketPipeline p =
        new PacketPipeline(
            "fuzz",
            FlowOptions.defaults(),
            new DnsAnswerCache(),
            e -> kinds[e.hasFlow() ? 0 : e.hasDns() ? 1 : e.hasTls() ? 2 : 3]++);
    int i = 0;
    long ts = 1_700_000_000_000_000_000L;
    while (i + 2 <= in.length) {
      int len = Math.min((in[i] & 0xff) << 8 | in[i + 1] & 0xff, in.length - i - 2);
      p.frame(in, i + 2, len, 1, ts += 1_000_000, len);
      i += 2 + len;
    }
    p.finish();
    return Math.min(kinds[0], 3)
        + ""
        + Math.min(kinds[1], 3)
        + Math.min(kinds[2], 3)
        + Math.min(kinds[3], 3);
  }
}
