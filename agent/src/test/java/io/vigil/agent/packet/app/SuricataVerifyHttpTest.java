package io.vigil.agent.packet.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.agent.packet.http.HttpRequest;
import io.vigil.agent.packet.http.HttpTransaction;
import io.vigil.common.testing.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The HTTP requests Vigil extracts from every suricata-verify capture (real capture reader and
 * decoder, {@link io.vigil.agent.packet.stream.TcpStreams} reassembly, content detection, the HTTP
 * parser; SSDP datagrams through {@link io.vigil.agent.packet.http.HttpDatagrams}) against tshark
 * 4.0's {@code http.request} rows in {@code suricata-verify.tshark.json}: method, host, user agent
 * and URI, each scored as a multiset, matched / (expected ∪ extracted), per capture and overall.
 *
 * <p>Aligned definitions, not differences: Wireshark files NOTIFY, SUBSCRIBE and UNSUBSCRIBE (UPnP
 * eventing) as {@code http.notification}, never {@code http.request}, so ours with those methods
 * are left out (counted); the summary cut each packet's URI column at 200 characters after joining
 * a packet's requests with "|", so a cut value compares as a prefix.
 *
 * <p>Every remaining difference is listed in {@link #EXPLAINED} with its cause; none is a parsing
 * error of ours.
 */
class SuricataVerifyHttpTest {
  /** Methods Wireshark files as http.notification, never http.request (GENA, UPnP eventing). */
  private static final Set<String> NOTIFICATIONS = Set.of("NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE");

  private static final String[] FIELDS = {"method", "host", "user_agent", "uri"};

  /** The summary's URI column was cut at this many characters (the whole column of a packet). */
  private static final int URI_CUT = 200;

  private static final String URI_SPACES =
      "the request target holds a space: tshark ends the URI at it, we take everything up to the"
          + " version, as Suricata does (its test http-uri-spaces expects ' afterspace' in"
          + " http_uri) and as the attacker's command in bug-5437 needs";
  private static final String GENEVE =
      "HTTP inside GRE inside Geneve (UDP 6081): the packet decoder does not open Geneve";
  private static final String ICMP_QUOTES =
      "tshark also counts the 6 partial requests quoted inside ICMP 'fragmentation needed'"
          + " errors (frames 9, 20, 58, 69, 78, 117; no Host, no User-Agent): not requests";
  private static final String PORT_53 =
      "a second connection, 6666 -> 53, carries 'POST /oneself HTTP/1.0': tshark decodes port"
          + " 53 as DNS, we detect by content";

  /** Every (capture, field) that differs, and why. */
  private static final Map<String, String> EXPLAINED =
      new TreeMap<>(
          Map.ofEntries(
              Map.entry("bug-5437-01.pcap uri", URI_SPACES),
              Map.entry("bug-5437-02.pcap uri", URI_SPACES),
              Map.entry("http-uri-spaces.pcap uri", URI_SPACES),
              Map.entry(
                  "detect-pcre__detect-pcre-04.pcap uri",
                  "'POST  /  HTTP/1.0' (two spaces each side): tshark's URI is the empty string"
                      + " between the first two spaces, ours is '/'"),
              Map.entry(
                  "detect-pcre__detect-pcre-05.pcap uri", "'GET  /  HTTP/1.1': as detect-pcre-04"),
              Map.entry("bug-6402-01.pcap method", GENEVE),
              Map.entry("bug-6402-01.pcap host", GENEVE),
              Map.entry("bug-6402-01.pcap user_agent", GENEVE),
              Map.entry("bug-6402-01.pcap uri", GENEVE),
              Map.entry("filestore-5408.pcap method", ICMP_QUOTES),
              Map.entry("filestore-5408.pcap host", ICMP_QUOTES),
              Map.entry("filestore-5408.pcap user_agent", ICMP_QUOTES),
              Map.entry("filestore-5408.pcap uri", ICMP_QUOTES),
              Map.entry(
                  "transform-dotprefix-uaf-8537.pcap host",
                  "a 4096-byte Host header: ours is cut at the 1 KiB field bound (marked"
                      + " truncated)"),
              Map.entry("uricontent__detect-uricontent-02.pcap method", PORT_53),
              Map.entry("uricontent__detect-uricontent-02.pcap host", PORT_53),
              Map.entry("uricontent__detect-uricontent-02.pcap user_agent", PORT_53),
              Map.entry("uricontent__detect-uricontent-02.pcap uri", PORT_53)));

  @Test
  @SuppressWarnings("unchecked")
  void requestsAgreeWithTshark() throws Exception {
    Path dir = TestData.require("pcaps/suricata-verify");
    Map<String, Object> json =
        (Map<String, Object>)
            MiniJson.parse(Files.readString(dir.resolveSibling("suricata-verify.tshark.json")));
    CaptureStreams harness = new CaptureStreams();
    long[] matched = new long[4];
    long[] union = new long[4];
    Map<String, String> differences = new TreeMap<>();
    long notifications = 0;
    int compared = 0;
    for (Map.Entry<String, Object> e : new TreeMap<>(json).entrySet()) {
      String file = e.getKey();
      List<List<String>> rows =
          (List<List<String>>) ((Map<String, Object>) e.getValue()).get("http");
      CaptureStreams.Result r = harness.run(dir.resolve(file), null);
      List<HttpRequest> ours = new ArrayList<>();
      List<HttpTransaction> all = new ArrayList<>(r.http());
      all.addAll(r.udpHttp());
      for (HttpTransaction tx : all) {
        if (tx.request() == null) {
          continue;
        }
        if (NOTIFICATIONS.contains(tx.request().method())) {
          notifications++;
        } else {
          ours.add(tx.request());
        }
      }
      if (rows.isEmpty() && ours.isEmpty()) {
        continue;
      }
      compared++;
      for (int f = 0; f < 4; f++) {
        List<String> theirs = new ArrayList<>();
        List<Boolean> prefix = new ArrayList<>();
        expand(rows, f, theirs, prefix);
        List<String> mine = new ArrayList<>();
        for (HttpRequest q : ours) {
          mine.add(field(q, f));
        }
        int m = matchCount(theirs, prefix, mine);
        matched[f] += m;
        union[f] += theirs.size() + mine.size() - m;
        if (m != theirs.size() || m != mine.size()) {
          differences.put(file + " " + FIELDS[f], "tshark " + theirs + " ours " + mine);
        }
      }
    }
    for (int f = 0; f < 4; f++) {
      System.out.printf(
          "HTTP %s vs tshark: %d matched of %d (%.2f%%)%n",
          FIELDS[f], matched[f], union[f], 100.0 * matched[f] / union[f]);
    }
    differences.forEach((k, v) -> System.out.println("difference " + k + ": " + v));
    assertEquals(EXPLAINED.keySet(), differences.keySet());
    assertEquals(511, compared, "captures with HTTP requests in either");
    assertEquals(91, notifications, "NOTIFY/SUBSCRIBE/UNSUBSCRIBE: http.notification to tshark");
    // Raw: method 98.87 %, host 98.59 %, user agent 98.87 %, URI 96.65 %. Without the 8
    // requests that are tshark's artifacts or outside this code (ICMP quotes, port 53, Geneve):
    // method 100 %, host 99.71 % (the 1 KiB bound), user agent 100 %, URI 97.74 % (8 requests
    // whose target has spaces, where we follow Suricata, not tshark: see EXPLAINED).
    assertEquals(
        List.of(700L, 699L, 700L, 692L), List.of(matched[0], matched[1], matched[2], matched[3]));
    assertEquals(List.of(708L, 709L, 708L, 716L), List.of(union[0], union[1], union[2], union[3]));
  }

  /**
   * How many connections detection calls TLS over the corpus, for cross-checks with the TLS parser.
   * tshark 4.0 finds a ClientHello in 61 TCP streams of 44 captures ({@code tls.handshake.type ==
   * 1}); we classify 60 in 43: the one left is
   * firewall__app-layer-protocol-negated-unknown-shortcircuit, whose client sends 32 bytes that are
   * no protocol before its ClientHello: detection looks at a stream's first bytes, so it is UNKNOWN
   * (as the Suricata test expects of its own detection). The 3 SSLv2-format hellos
   * (bypass-depth-disabled, sslv2-tls-upgrade-01, tls-altname-zero) are counted as TLS.
   */
  @Test
  void tlsConnectionsAcrossTheCorpus() throws Exception {
    Path dir = TestData.require("pcaps/suricata-verify");
    CaptureStreams harness = new CaptureStreams();
    long tls = 0;
    int captures = 0;
    List<Path> files;
    try (var list = Files.list(dir)) {
      files = list.filter(p -> p.toString().contains(".pcap")).sorted().toList();
    }
    for (Path file : files) {
      CaptureStreams.Result r = harness.run(file, null);
      long n = r.layers().stream().filter(l -> l.protocol() == AppProtocol.TLS).count();
      tls += n;
      captures += n > 0 ? 1 : 0;
      if (file.getFileName()
          .toString()
          .startsWith("firewall__app-layer-protocol-negated-unknown")) {
        assertEquals(
            List.of(AppProtocol.UNKNOWN), r.layers().stream().map(l -> l.protocol()).toList());
      }
    }
    System.out.println("TLS connections: " + tls + " in " + captures + " captures");
    assertEquals(620, files.size());
    assertEquals(60, tls);
    assertEquals(43, captures);
  }

  private static String field(HttpRequest q, int f) {
    return switch (f) {
      case 0 -> q.method();
      case 1 -> q.host();
      case 2 -> q.userAgent();
      default -> q.uri();
    };
  }

  /**
   * tshark's rows are per packet; a packet completing several requests has each column joined with
   * "|" (only present values: a missing header leaves no empty part). The URI column was cut at
   * {@value #URI_CUT} characters after joining, so its last part may be a prefix and later parts
   * missing: those compare as prefixes.
   */
  private static void expand(
      List<List<String>> rows, int f, List<String> out, List<Boolean> prefix) {
    for (List<String> row : rows) {
      int n = row.get(0).split("\\|", -1).length;
      String v = row.get(f);
      boolean cut = f == 3 && v.length() == URI_CUT;
      String[] parts = n == 1 ? new String[] {v} : v.isEmpty() ? new String[0] : v.split("\\|", -1);
      for (int i = 0; i < n; i++) {
        if (i < parts.length) {
          out.add(parts[i]);
          prefix.add(cut && i == parts.length - 1);
        } else {
          out.add("");
          prefix.add(cut);
        }
      }
    }
  }

  /** Multiset intersection size, a prefix entry matching any value it starts. */
  private static int matchCount(List<String> theirs, List<Boolean> prefix, List<String> mine) {
    List<String> left = new ArrayList<>(mine);
    int m = 0;
    List<String> prefixes = new ArrayList<>();
    for (int i = 0; i < theirs.size(); i++) {
      if (prefix.get(i)) {
        prefixes.add(theirs.get(i));
      } else if (left.remove(theirs.get(i))) {
        m++;
      }
    }
    for (String p : prefixes) {
      for (int j = 0; j < left.size(); j++) {
        if (left.get(j).startsWith(p)) {
          left.remove(j);
          m++;
          break;
        }
      }
    }
    return m;
  }
}
