package io.vigil.agent.packet.quic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.vigil.common.testing.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real QUIC connections from the shared captures, through the real capture reader and decoder:
 * every client's datagrams, offered to one assembler, give its whole ClientHello, with the server
 * name the capture's own expectation names and byte for byte what tshark 4.0 reassembles ({@code
 * golden/quic/tshark-clienthello-sha256.txt}: SHA-256 and length per capture and client port).
 */
class QuicCorpusTest {

  /**
   * The 21 QUIC connections of the JA4 corpus ({@code expected-ja4.json}, transport "udp"): 20
   * Chrome connections in tls-sni.pcapng and one to Cloudflare. The SNI must be the expected
   * tls_server_name.
   */
  @Test
  void everyJa4QuicConnectionGivesItsClientHello() throws Exception {
    Path dir = TestData.require("pcaps/ja4");
    Map<String, String> golden = golden();
    JsonObject expected =
        JsonParser.parseString(Files.readString(dir.resolve("expected-ja4.json")))
            .getAsJsonObject();
    Map<String, List<UdpDatagrams.Datagram>> captures = new HashMap<>();
    List<String> failures = new ArrayList<>();
    int connections = 0;
    for (Map.Entry<String, JsonElement> file : expected.entrySet()) {
      for (JsonElement e : file.getValue().getAsJsonArray()) {
        JsonObject c = e.getAsJsonObject();
        if (!c.get("transport").getAsString().equals("udp")) {
          continue;
        }
        connections++;
        List<UdpDatagrams.Datagram> all =
            captures.computeIfAbsent(file.getKey(), f -> read(dir.resolve(f)));
        int port = c.get("src_port").getAsInt();
        List<byte[]> sent =
            UdpDatagrams.sent(
                all,
                InetAddress.getByName(c.get("src").getAsString()),
                port,
                InetAddress.getByName(c.get("dst").getAsString()),
                c.get("dst_port").getAsInt());
        String key = file.getKey() + " " + port;
        String want = c.get("tls_server_name").getAsString() + " " + golden.remove(key);
        String got = assemble(sent);
        if (!want.equals(got)) {
          failures.add(key + ": want " + want + ", got " + got);
        }
      }
    }
    assertEquals(21, connections, "QUIC connections in expected-ja4.json");
    assertEquals(List.of(), failures);
  }

  /**
   * The QUIC captures of suricata-verify: v1 from Chrome, Firefox, Apple and msquic (ClientHellos
   * split over two and three Initial packets, CRYPTO frames out of order, a gap filled by a later
   * packet), and QUIC v2. The client is whoever sent the first datagram; the SNI must be tshark's
   * ({@code suricata-verify.tshark.json}; the v2 client sent none).
   */
  @Test
  void suricataVerifyQuicCapturesGiveTsharksClientHellos() throws Exception {
    Path dir = TestData.require("pcaps/suricata-verify");
    Map<String, String> golden = golden();
    Map<String, String> sni = new LinkedHashMap<>();
    sni.put("ja4-tls-quic.pcap", "cloudflare-quic.com");
    sni.put("quic-ack3.pcap", "tether.edge.apple");
    sni.put("quic-frag-middle-gap.pcap", "optimizationguide-pa.googleapis.com");
    sni.put("quic-frag-unordered.pcap", "mastodon.social");
    sni.put("quic-frag-wait.pcap", "www.google.com");
    sni.put("quic-frag.pcap", "token.services.mozilla.com");
    sni.put("quic-ietf-ja3.pcap", "msquic.net");
    sni.put("quic-v2-ja3.pcap", "(no SNI)");
    sni.put("quic-v2.pcap", "(no SNI)");
    JsonObject tshark =
        JsonParser.parseString(Files.readString(dir.resolveSibling("suricata-verify.tshark.json")))
            .getAsJsonObject();
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, String> e : sni.entrySet()) {
      String theirs = tshark.getAsJsonObject(e.getKey()).getAsJsonArray("sni").get(0).getAsString();
      assertEquals(e.getValue(), theirs.isEmpty() ? "(no SNI)" : theirs, e.getKey());
      List<UdpDatagrams.Datagram> all = read(dir.resolve(e.getKey()));
      UdpDatagrams.Datagram first = all.get(0);
      List<byte[]> sent =
          UdpDatagrams.sent(all, first.src(), first.srcPort(), first.dst(), first.dstPort());
      String key = e.getKey() + " " + first.srcPort();
      String want = e.getValue() + " " + golden.remove(key);
      String got = assemble(sent);
      if (!want.equals(got)) {
        failures.add(key + ": want " + want + ", got " + got);
      }
    }
    assertEquals(List.of(), failures);
  }

  /** "SNI sha256 length" of the assembled ClientHello, or what went wrong. */
  private static String assemble(List<byte[]> datagrams) {
    QuicClientHelloAssembler a = new QuicClientHelloAssembler();
    for (byte[] d : datagrams) {
      if (a.offer(d, 0, d.length) != QuicClientHelloAssembler.State.COLLECTING) {
        break;
      }
    }
    if (a.clientHello().isEmpty()) {
      return "no ClientHello: " + a.state() + " " + a.giveUpReason() + " " + a.stats();
    }
    byte[] m = a.clientHello().get();
    return ClientHelloSni.of(m).orElse("(no SNI)") + " " + sha256(m) + " " + m.length;
  }

  /** "capture client-port" to "sha256 length". */
  private static Map<String, String> golden() throws IOException {
    Map<String, String> out = new HashMap<>();
    try (InputStream in =
        QuicCorpusTest.class.getResourceAsStream("/golden/quic/tshark-clienthello-sha256.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank() && !line.startsWith("#")) {
          String[] f = line.trim().split(" ");
          out.put(f[0] + " " + f[1], f[2] + " " + f[3]);
        }
      }
    }
    return out;
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static List<UdpDatagrams.Datagram> read(Path file) {
    try {
      return UdpDatagrams.read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
