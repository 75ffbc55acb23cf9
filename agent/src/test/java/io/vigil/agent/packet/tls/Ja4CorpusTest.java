package io.vigil.agent.packet.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.common.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every TCP stream of FoxIO's JA4 test captures ({@code pcaps/ja4/expected-ja4.json}, 66 TCP
 * entries over 6 captures): the client's bytes, read through the real capture reader, decoder and a
 * test-only in-order reassembly, through {@link TlsRecordAssembler} and {@link ClientHello}, give
 * FoxIO's JA4 and SNI. The UDP (QUIC) entries need QUIC Initial decryption, which is not this
 * package's: they are counted and left out.
 */
class Ja4CorpusTest {
  /** The SOCKS captures' client streams start with the SOCKS handshake, TLS after it. */
  private static final String SOCKS = "socks-https-example.pcap";

  @Test
  void everyTcpStreamGivesFoxIosJa4AndSni() throws Exception {
    Path dir = TestData.require("pcaps/ja4");
    @SuppressWarnings("unchecked")
    Map<String, Object> expected =
        (Map<String, Object>) MiniJson.parse(Files.readString(dir.resolve("expected-ja4.json")));
    List<String> differences = new ArrayList<>();
    int tcp = 0;
    int udp = 0;
    for (Map.Entry<String, Object> file : expected.entrySet()) {
      TcpStreams.Capture capture = TcpStreams.read(dir.resolve(file.getKey()));
      assertEquals(null, capture.readError(), file.getKey());
      List<TcpStreams.Connection> connections = capture.connections();
      for (Object o : (List<?>) file.getValue()) {
        Map<?, ?> e = (Map<?, ?>) o;
        if (!"tcp".equals(e.get("transport"))) {
          udp++;
          continue;
        }
        tcp++;
        String where = file.getKey() + " stream " + e.get("stream");
        TcpStreams.Connection c = find(connections, e);
        if (c == null) {
          differences.add(where + ": connection not found");
          continue;
        }
        byte[] stream = c.clientStream();
        int start = tlsStart(stream);
        if (start != 0 && !file.getKey().equals(SOCKS)) {
          differences.add(where + ": TLS starts at byte " + start);
        }
        ClientHello hello = firstClientHello(stream, start);
        String got =
            hello == null
                ? "no ClientHello"
                : Ja4.of(hello, Ja4.Transport.TCP).fingerprint()
                    + " "
                    + (hello.serverName() == null ? "" : hello.serverName());
        String want = e.get("ja4") + " " + e.get("tls_server_name");
        if (!got.equals(want)) {
          differences.add(where + ": want " + want + ", got " + got);
        }
      }
    }
    System.out.printf("JA4 corpus: %d TCP streams compared, %d UDP left out%n", tcp, udp);
    assertEquals(List.of(), differences);
    assertEquals(66, tcp);
    assertEquals(21, udp);
  }

  private static TcpStreams.Connection find(List<TcpStreams.Connection> all, Map<?, ?> e) {
    for (TcpStreams.Connection c : all) {
      if (c.client.equals(e.get("src"))
          && c.server.equals(e.get("dst"))
          && c.clientPort == ((Long) e.get("src_port")).intValue()
          && c.serverPort == ((Long) e.get("dst_port")).intValue()) {
        return c;
      }
    }
    return null;
  }

  /** The first offset where TLS begins (what a protocol detector would find), or 0. */
  static int tlsStart(byte[] stream) {
    for (int i = 0; i < stream.length; i++) {
      if (TlsRecordAssembler.looksLikeTls(stream, i, stream.length - i)) {
        return i;
      }
    }
    return 0;
  }

  private static ClientHello firstClientHello(byte[] stream, int start) throws Exception {
    List<byte[]> hellos = new ArrayList<>();
    TlsRecordAssembler records =
        new TlsRecordAssembler(
            (type, body) -> {
              if (type == HandshakeType.CLIENT_HELLO) {
                hellos.add(body);
              }
            });
    records.feed(stream, start, stream.length - start);
    return hellos.isEmpty() ? null : ClientHello.parse(hellos.get(0));
  }
}
