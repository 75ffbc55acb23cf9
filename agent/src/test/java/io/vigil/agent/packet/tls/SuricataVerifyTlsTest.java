package io.vigil.agent.packet.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.testing.TestData;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * JA3, JA3S and SNI of every TLS-over-TCP handshake in the 620 suricata-verify captures, through
 * the real capture reader and decoder, a test-only in-order reassembly and {@link TlsConversation},
 * against what tshark 4.0 extracted ({@code suricata-verify.tshark.json}: per capture the lists
 * {@code ja3}, {@code ja3s}, {@code sni}, one entry per hello tshark saw, {@code ""} for a field
 * the hello lacks). Scored per capture as multisets: matched / (expected ∪ extracted), summed over
 * all captures.
 *
 * <p>tshark also saw 12 handshakes inside QUIC Initial packets, which only a QUIC decryptor can
 * read (not this package's job): they are listed in {@link #QUIC}, so the score is given twice,
 * over all of tshark's entries and over its TLS-over-TCP entries. Every remaining difference is
 * pinned in {@link #EXPLAINED} with its cause.
 */
class SuricataVerifyTlsTest {
  /**
   * The QUIC handshakes tshark decrypted (from {@code tshark -Y "udp && tls.handshake.type"}):
   * capture to its JA3, JA3S and SNI.
   */
  private static final Map<String, List<String>> QUIC =
      Map.ofEntries(
          quic(
              "ja4-rules-disabled.pcap",
              "3cbc33c648fe331404456f48a5a27170",
              "eb1d94daa7e0344597e756a1fb6e7054",
              "cloudflare-quic.com"),
          quic(
              "ja4-rules-requires-off.pcap",
              "3cbc33c648fe331404456f48a5a27170",
              "eb1d94daa7e0344597e756a1fb6e7054",
              "cloudflare-quic.com"),
          quic(
              "ja4-rules-requires.pcap",
              "3cbc33c648fe331404456f48a5a27170",
              "eb1d94daa7e0344597e756a1fb6e7054",
              "cloudflare-quic.com"),
          quic(
              "ja4-tls-quic.pcap",
              "3cbc33c648fe331404456f48a5a27170",
              "eb1d94daa7e0344597e756a1fb6e7054",
              "cloudflare-quic.com"),
          quic(
              "quic-ack3.pcap",
              "e211e1aff80aa0a71f03558619487658",
              "f590053ff246338aff7c203dbe7164d6",
              "tether.edge.apple"),
          quic(
              "quic-frag-middle-gap.pcap",
              "2adbc782adea01297ab7fcf01fe2acc1",
              "2b0648ab686ee45e0e7c35fcfb0eea7e",
              "optimizationguide-pa.googleapis.com"),
          quic(
              "quic-frag-unordered.pcap",
              "272f82e5021102e1a2dda48dca35e0a1",
              "15af977ce25de452b96affa2addb1036",
              "mastodon.social"),
          quic(
              "quic-frag-wait.pcap",
              "4a6553630c18ffea07ed77ebed6f499b",
              "eb1d94daa7e0344597e756a1fb6e7054",
              "www.google.com"),
          quic(
              "quic-frag.pcap",
              "2d95fd459df0b3bba123e69b002b3f92",
              "eb1d94daa7e0344597e756a1fb6e7054",
              "token.services.mozilla.com"),
          quic(
              "quic-ietf-ja3.pcap",
              "292bd0719190dff4cb1033de8573310d",
              "2253c82f03b621c5144709b393fde2c9",
              "msquic.net"),
          quic(
              "quic-v2-ja3.pcap",
              "ea0aece5703cb982b232a0684fc35b16",
              "f4febc55ea12b31ae17cfb7e614afda8",
              ""),
          quic(
              "quic-v2.pcap",
              "ea0aece5703cb982b232a0684fc35b16",
              "f4febc55ea12b31ae17cfb7e614afda8",
              ""));

  /**
   * Every difference on TLS over TCP, each explained.
   *
   * <ul>
   *   <li>bug-2512: the client speaks TLS inside an HTTP CONNECT tunnel on port 8080. The proxy's
   *       "200" reply was not captured, so tshark never switches the tunnel to TLS; the test's
   *       stand-in protocol detection finds the ClientHello (frame 6, a real one). The server side
   *       has that capture gap before its ServerHello, so neither tool has a JA3S.
   *   <li>bypass-depth-disabled, sslv2-tls-upgrade-01, tls-altname-zero: the client sends an SSL
   *       2.0-format ClientHello (RFC 5246 E.2); tshark lists it with an empty JA3 and SNI. This
   *       package reads SSL 3.0+ records only, so it reports no ClientHello there. (Their TLS
   *       ServerHellos agree.)
   *   <li>tls-fingerprint-alert: the first segment of the server's flight was captured after the
   *       next ones. tshark 4.0 does not reassemble out-of-order segments by default and misses the
   *       ServerHello; with {@code -o tcp.reassemble_out_of_order:TRUE} it gives the same JA3S.
   *   <li>tls13-draft14: a TLS 1.3 draft-14 ServerHello (version 0x0304, no session id or
   *       compression). tshark reads it in the RFC 8446 layout, takes the cipher suite's first byte
   *       (0xc0) for a session id length and fingerprints garbage ({@code 772,44205,}); {@link
   *       ServerHello} reads it as draft 14: {@code 772,49195,40} (ECDHE-ECDSA-AES128-GCM,
   *       key_share), as the bytes say.
   * </ul>
   */
  private static final List<String> EXPLAINED =
      List.of(
          "ja3 bug-2512__sample_10.62.112.41_62227.pcap: tshark only [], ours only [\"e1ae4abfe6e349acc988bd8625175838\"]",
          "ja3 bypass-depth-disabled.pcap: tshark only [\"\"], ours only []",
          "ja3 sslv2-tls-upgrade-01__ssl-v2-s1.pcap: tshark only [\"\"], ours only []",
          "ja3 tls__tls-altname-zero.pcap: tshark only [\"\"], ours only []",
          "ja3s tls__tls-fingerprint-alert.pcap: tshark only [], ours only [\"673d9e3a3d636167965beda377536bd7\"]",
          "ja3s tls__tls13-draft14__tls13_draft14.pcap: tshark only [\"24839eca4f44616f70548d4a2c0f09fc\"], ours only [\"12ac0af01c6b637c7a470e5b7cd837b8\"]",
          "sni bug-2512__sample_10.62.112.41_62227.pcap: tshark only [], ours only [\"secure-assets.rubiconproject.com\"]",
          "sni bypass-depth-disabled.pcap: tshark only [\"\"], ours only []",
          "sni sslv2-tls-upgrade-01__ssl-v2-s1.pcap: tshark only [\"\"], ours only []",
          "sni tls__tls-altname-zero.pcap: tshark only [\"\"], ours only []");

  /**
   * Captures made to be broken, and how. bug-1450-04/05: after a 15-byte Certificate comes a
   * crafted handshake header (type 0xfa) claiming 296,191 bytes, over the 128 KiB bound (the pcap
   * itself also ends in a broken record, as tshark reports too). The shortcircuit capture wraps its
   * ClientHello in junk bytes: the bytes after it are no TLS record.
   */
  private static final Map<String, List<String>> EXPECTED_MALFORMED =
      Map.of(
          "bug-1450-04__tls_DER-incomplete-header.pcap", List.of("too_large"),
          "bug-1450-05__tls_DER-incomplete-content.pcap", List.of("too_large"),
          "firewall__app-layer-protocol-negated-unknown-shortcircuit.pcap",
              List.of("bad_record_type"));

  @Test
  void ja3Ja3sAndSniAgreeWithTshark() throws Exception {
    Path dir = TestData.require("pcaps/suricata-verify");
    @SuppressWarnings("unchecked")
    Map<String, Object> tshark =
        (Map<String, Object>)
            MiniJson.parse(Files.readString(dir.resolveSibling("suricata-verify.tshark.json")));
    Score[] all = {new Score("ja3"), new Score("ja3s"), new Score("sni")};
    Score[] tcp = {new Score("ja3"), new Score("ja3s"), new Score("sni")};
    String[] keys = {"ja3", "ja3s", "sni"};
    Map<String, List<String>> malformed = new TreeMap<>();
    for (Map.Entry<String, Object> capture : tshark.entrySet()) {
      String name = capture.getKey();
      Map<?, ?> fields = (Map<?, ?>) capture.getValue();
      Extracted ours = extract(dir.resolve(name));
      List<List<String>> extracted = List.of(ours.ja3, ours.ja3s, ours.sni);
      for (int f = 0; f < keys.length; f++) {
        List<String> expected = strings(fields.get(keys[f]));
        all[f].add(name, expected, extracted.get(f));
        List<String> overTcp = new ArrayList<>(expected);
        if (QUIC.containsKey(name)) {
          assertTrue(overTcp.remove(QUIC.get(name).get(f)), name + " has its QUIC " + keys[f]);
        }
        tcp[f].add(name, overTcp, extracted.get(f));
      }
      if (!ours.malformed.isEmpty()) {
        malformed.put(name, ours.malformed);
      }
    }
    List<String> differences = new ArrayList<>();
    for (int f = 0; f < keys.length; f++) {
      System.out.printf(
          "%s vs tshark: all entries %d of %d (%.2f%%), TLS over TCP %d of %d (%.2f%%)%n",
          keys[f],
          all[f].matched,
          all[f].union,
          100.0 * all[f].matched / all[f].union,
          tcp[f].matched,
          tcp[f].union,
          100.0 * tcp[f].matched / tcp[f].union);
      for (String d : tcp[f].differences) {
        differences.add(keys[f] + " " + d);
      }
    }
    assertEquals(EXPLAINED, differences);
    assertEquals(new TreeMap<>(EXPECTED_MALFORMED), malformed);
    // All of tshark's entries (the 12 QUIC handshakes count against us).
    assertEquals(List.of(60L, 76L, 55L, 70L, 60L, 76L), counts(all));
    // TLS over TCP: 93.8 % JA3, 94.8 % JA3S, 93.8 % SNI; every difference explained above.
    assertEquals(List.of(60L, 64L, 55L, 58L, 60L, 64L), counts(tcp));
  }

  private static Map.Entry<String, List<String>> quic(
      String capture, String ja3, String ja3s, String sni) {
    return Map.entry(capture, List.of(ja3, ja3s, sni));
  }

  private static List<Long> counts(Score[] scores) {
    List<Long> out = new ArrayList<>();
    for (Score s : scores) {
      out.add(s.matched);
      out.add(s.union);
    }
    return out;
  }

  /** What this package extracts from one capture. */
  static final class Extracted {
    final List<String> ja3 = new ArrayList<>();
    final List<String> ja3s = new ArrayList<>();
    final List<String> sni = new ArrayList<>();
    final List<String> malformed = new ArrayList<>();
  }

  static Extracted extract(Path capture) throws Exception {
    Extracted out = new Extracted();
    TlsConversation.Listener listener =
        new TlsConversation.Listener() {
          @Override
          public void clientHello(ClientHello hello) {
            out.ja3.add(Ja3.of(hello).md5());
            out.sni.add(hello.serverName() == null ? "" : hello.serverName());
          }

          @Override
          public void serverHello(ServerHello hello) {
            out.ja3s.add(Ja3s.of(hello).md5());
          }

          @Override
          public void malformed(TlsMalformed reason) {
            out.malformed.add(reason.label());
          }
        };
    TcpStreams.Capture read = TcpStreams.read(capture);
    for (TcpStreams.Connection c : read.connections()) {
      replay(c, new TlsConversation(listener));
    }
    return out;
  }

  /**
   * Feeds the connection's chunks in capture order, each direction from where TLS starts in it
   * (standing in for protocol detection, which is not this package's: STARTTLS and proxies put
   * other bytes first); a direction where TLS never starts is not fed.
   */
  static void replay(TcpStreams.Connection c, TlsConversation tls) {
    int clientSkip = start(c, true);
    int serverSkip = start(c, false);
    for (TcpStreams.Chunk chunk : c.chunks) {
      byte[] d = chunk.data();
      if (chunk.fromClient()) {
        int from = Math.min(Math.max(clientSkip, 0), d.length);
        if (clientSkip >= 0 && from < d.length) {
          tls.clientBytes(d, from, d.length - from);
        }
        clientSkip = clientSkip < 0 ? clientSkip : Math.max(clientSkip - d.length, 0);
      } else {
        int from = Math.min(Math.max(serverSkip, 0), d.length);
        if (serverSkip >= 0 && from < d.length) {
          tls.serverBytes(d, from, d.length - from);
        }
        serverSkip = serverSkip < 0 ? serverSkip : Math.max(serverSkip - d.length, 0);
      }
    }
  }

  /** Where TLS starts in one direction's stream, -1 when it does not. */
  private static int start(TcpStreams.Connection c, boolean fromClient) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (TcpStreams.Chunk chunk : c.chunks) {
      if (chunk.fromClient() == fromClient) {
        all.writeBytes(chunk.data());
      }
    }
    byte[] s = all.toByteArray();
    for (int i = 0; i < s.length; i++) {
      if (TlsRecordAssembler.looksLikeTls(s, i, s.length - i)) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> strings(Object list) {
    List<String> out = new ArrayList<>();
    for (Object o : (List<?>) list) {
      out.add((String) o);
    }
    return out;
  }

  /** Multiset agreement of one field over all captures. */
  static final class Score {
    final String name;
    long matched;
    long union;
    final List<String> differences = new ArrayList<>();

    Score(String name) {
      this.name = name;
    }

    void add(String capture, List<String> expected, List<String> ours) {
      Map<String, Integer> left = new HashMap<>();
      expected.forEach(v -> left.merge(v, 1, Integer::sum));
      int both = 0;
      List<String> extra = new ArrayList<>();
      for (String v : ours) {
        Integer n = left.get(v);
        if (n != null && n > 0) {
          left.put(v, n - 1);
          both++;
        } else {
          extra.add(v);
        }
      }
      List<String> missing = new ArrayList<>();
      left.forEach(
          (v, n) -> {
            for (int i = 0; i < n; i++) {
              missing.add(v);
            }
          });
      matched += both;
      union += expected.size() + ours.size() - both;
      if (!missing.isEmpty() || !extra.isEmpty()) {
        missing.replaceAll(v -> '"' + v + '"');
        extra.replaceAll(v -> '"' + v + '"');
        missing.sort(null);
        extra.sort(null);
        differences.add(capture + ": tshark only " + missing + ", ours only " + extra);
      }
    }
  }
}
