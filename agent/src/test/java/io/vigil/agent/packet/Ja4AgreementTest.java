package io.vigil.agent.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.file.CaptureFileReader;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.common.testing.TestData;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.TlsEvent;
import io.vigil.proto.v1.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * JA4 per stream through the whole packet pipeline (reader, decoder, TCP reassembly, protocol
 * detection by content, TLS, QUIC Initial decryption): every one of the 87 values in {@code
 * pcaps/ja4/expected-ja4.json} is reproduced for its (capture, transport, 5-tuple), the 21 QUIC
 * streams and the 3 TLS-over-SOCKS streams included, with the SNI beside it.
 */
class Ja4AgreementTest {
  @Test
  void everyExpectedJa4IsReproducedForItsStream() throws Exception {
    Path dir = TestData.require("pcaps/ja4");
    JsonObject expected =
        JsonParser.parseString(Files.readString(dir.resolve("expected-ja4.json")))
            .getAsJsonObject();
    int total = 0;
    int quic = 0;
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, JsonElement> file : expected.entrySet()) {
      List<TlsEvent> got = handshakes(dir.resolve(file.getKey()));
      for (JsonElement e : file.getValue().getAsJsonArray()) {
        JsonObject x = e.getAsJsonObject();
        total++;
        boolean udp = x.get("transport").getAsString().equals("udp");
        if (udp) {
          quic++;
        }
        Transport t = udp ? Transport.TRANSPORT_UDP : Transport.TRANSPORT_TCP;
        String want = x.get("ja4").getAsString() + " " + x.get("tls_server_name").getAsString();
        List<String> found =
            got.stream()
                .filter(
                    h ->
                        h.getTransport() == t
                            && h.getClientIp().equals(IpText.canonical(x.get("src").getAsString()))
                            && h.getServerIp().equals(IpText.canonical(x.get("dst").getAsString()))
                            && h.getClientPort() == x.get("src_port").getAsInt()
                            && h.getServerPort() == x.get("dst_port").getAsInt())
                .map(h -> h.getJa4() + " " + h.getServerName())
                .toList();
        if (!found.equals(List.of(want))) {
          wrong.add(file.getKey() + " " + x + " -> " + found);
        }
      }
    }
    assertEquals(87, total, "expected entries");
    assertEquals(21, quic, "QUIC entries");
    assertEquals(List.of(), wrong, wrong.size() + " of " + total + " streams differ");
  }

  static List<TlsEvent> handshakes(Path capture) throws Exception {
    List<TlsEvent> out = new ArrayList<>();
    PacketPipeline pipeline =
        new PacketPipeline(
            capture.getFileName().toString(),
            FlowOptions.defaults(),
            new DnsAnswerCache(),
            (Event.Builder e) -> {
              if (e.hasTls()) {
                out.add(e.getTls());
              }
            });
    new CaptureFileReader()
        .read(
            capture,
            (buf, off, len, linkType, ts, orig) ->
                pipeline.frame(buf, off, len, linkType, ts, orig));
    pipeline.finish();
    return out;
  }
}
