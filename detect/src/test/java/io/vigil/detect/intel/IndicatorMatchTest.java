package io.vigil.detect.intel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.TlsEvent;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each indicator type hits the event fields that carry it, and a near miss does not. */
class IndicatorMatchTest {
  private static final String MD5 = "0749bae92ca336a02c83d126e04ec628";
  private static final String SHA1 = "77b0c41b7d340b8a3d903f21347bbf06aa766b5b";
  private static final String SHA256 =
      "b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68";
  private static final String JA3 = "e7d705a3286e19ea42f587b344ee6865";
  private static final String JA3S = "15af977ce25de452b96affa2addb1036";
  private static final String JA4 = "t13d1516h2_8daaf6152771_b0da82dd1658";

  @TempDir static Path dir;
  private static Path list;
  private static Path second;
  private static IndicatorSet set;

  @BeforeAll
  static void load() throws IOException {
    list = dir.resolve("iocs.txt");
    Files.writeString(
        list,
        String.join(
            "\n",
            "# hand-made indicators, one of each type",
            "203.0.113.7",
            "2001:DB8:0::7",
            "198.51.100.0/25",
            "2001:db8:abcd::/48",
            "Evil.Example.",
            "http://bad.example:80/payload.exe#frag",
            MD5.toUpperCase(),
            SHA1,
            SHA256,
            "ja3:" + JA3,
            "ja3s:" + JA3S,
            JA4,
            ""));
    second = dir.resolve("other.csv");
    Files.writeString(second, "value,description\n203.0.113.7,seen twice\n");
    Path stix = dir.resolve("and.json");
    Files.writeString(
        stix,
        """
        {"type":"bundle","id":"bundle--1","objects":[
         {"type":"indicator","id":"indicator--and","name":"both hashes",
          "pattern":"[file:hashes.MD5 = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' AND file:hashes.'SHA-256' = '%s']"},
         {"type":"indicator","id":"indicator--revoked","revoked":true,
          "pattern":"[ipv4-addr:value = '192.0.2.1']"},
         {"type":"indicator","id":"indicator--old","valid_until":"2020-01-01T00:00:00Z",
          "pattern":"[ipv4-addr:value = '192.0.2.2']"}]}
        """
            .formatted("c".repeat(64)));
    IntelLoad l =
        IntelLoader.load(
            List.of(list, second, stix), IntelLoader.DEFAULT_MAX_FILE_BYTES, Instant.now());
    assertEquals(List.of(), l.failures());
    assertEquals(1, l.reports().get(2).skipped().get("revoked"));
    assertEquals(1, l.reports().get(2).skipped().get("expired (valid_until)"));
    set = l.set();
  }

  private static Event conn(String src, String dst) {
    return Event.newBuilder()
        .setConnection(NetworkConnection.newBuilder().setSourceIp(src).setDestinationIp(dst))
        .build();
  }

  private static Event flow(String src, String dst) {
    return Event.newBuilder()
        .setFlow(Flow.newBuilder().setSourceIp(src).setDestinationIp(dst))
        .build();
  }

  private static Event dns(String name, String... answers) {
    return Event.newBuilder()
        .setDns(DnsEvent.newBuilder().setQueryName(name).addAllAnswers(List.of(answers)))
        .build();
  }

  private static Event tls(String sni, String ja3, String ja3s, String ja4) {
    return Event.newBuilder()
        .setTls(TlsEvent.newBuilder().setServerName(sni).setJa3(ja3).setJa3S(ja3s).setJa4(ja4))
        .build();
  }

  private static Event http(String host, String uri) {
    return Event.newBuilder().setHttp(HttpEvent.newBuilder().setHost(host).setUri(uri)).build();
  }

  private static Event exec(String md5, String sha1, String sha256) {
    return Event.newBuilder()
        .setProcessExec(ProcessExec.newBuilder().setMd5(md5).setSha1(sha1).setSha256(sha256))
        .build();
  }

  private static Event file(String sha256) {
    return file("", "", sha256);
  }

  private static Event file(String md5, String sha1, String sha256) {
    return Event.newBuilder()
        .setFile(FileEvent.newBuilder().setMd5(md5).setSha1(sha1).setSha256(sha256))
        .build();
  }

  /** The one hit of the event: its type, field and value. */
  private static IntelHit only(Event e, IndicatorType type, String field) {
    List<IntelHit> hits = set.match(e);
    assertEquals(1, hits.size(), hits.toString());
    IntelHit h = hits.get(0);
    assertEquals(type, h.indicator().type());
    assertEquals(field, h.field());
    return h;
  }

  private static void none(Event e) {
    assertEquals(List.of(), set.match(e), e.toString());
  }

  @Test
  void ipv4HitsNamesItsSourcesAndNotTheNextAddress() {
    List<IntelHit> hits = set.match(conn("10.1.1.1", "203.0.113.7"));
    assertEquals(2, hits.size(), hits.toString());
    assertEquals(
        List.of(list.toString(), second.toString()),
        hits.stream().map(h -> h.indicator().source()).sorted().toList());
    IntelHit fromList =
        hits.stream().filter(h -> h.indicator().source().equals(list.toString())).findFirst().get();
    assertEquals(list + ":2", fromList.indicator().id());
    assertEquals("iocs.txt", fromList.indicator().sourceName());
    assertEquals("DestinationIp", fromList.field());
    assertEquals("203.0.113.7", fromList.value());
    assertEquals(
        "seen twice",
        hits.stream().filter(h -> h != fromList).findFirst().get().indicator().description());
    none(conn("10.1.1.1", "203.0.113.8"));
    assertEquals(2, set.match(conn("::ffff:203.0.113.7", "10.0.0.1")).size());
  }

  @Test
  void ipv6HitsInAnySpellingAndNotTheNextAddress() {
    IntelHit h = only(flow("2001:0db8:0000:0:0:0:0:0007", "::1"), IndicatorType.IP, "SourceIp");
    assertEquals("2001:db8::7", h.indicator().value());
    none(flow("2001:db8::8", "::1"));
  }

  @Test
  void cidrV4HitsInsideAndNotElsewhereInTheSameSlash24() {
    only(flow("198.51.100.77", "10.0.0.1"), IndicatorType.CIDR, "SourceIp");
    only(flow("10.0.0.1", "198.51.100.0"), IndicatorType.CIDR, "DestinationIp");
    none(flow("198.51.100.128", "10.0.0.1"));
    none(flow("198.51.100.200", "10.0.0.1"));
  }

  @Test
  void cidrV6HitsInsideAndNotInTheNextNetwork() {
    only(conn("2001:db8:abcd:12::1", "::1"), IndicatorType.CIDR, "SourceIp");
    none(conn("2001:db8:abce::1", "::1"));
  }

  @Test
  void domainHitsItselfAndSubdomainsButNotSiblingsOrLookalikes() {
    IntelHit h = only(dns("a.b.EVIL.example."), IndicatorType.DOMAIN, "QueryName");
    assertEquals("evil.example", h.indicator().value());
    assertEquals("a.b.EVIL.example.", h.value());
    only(dns("evil.example"), IndicatorType.DOMAIN, "QueryName");
    only(tls("cdn.evil.example", "", "", ""), IndicatorType.DOMAIN, "DestinationHostname");
    only(http("evil.example:8080", "/"), IndicatorType.DOMAIN, "DestinationHostname");
    none(dns("notevil.example"));
    none(dns("evil.example.com"));
    none(dns("example"));
    none(tls("good.example", "", "", ""));
  }

  @Test
  void dnsAnswersAreMatchedAsAddresses() {
    only(dns("benign.example", "192.0.2.55", "198.51.100.3"), IndicatorType.CIDR, "QueryResults");
    none(dns("benign.example", "192.0.2.55", "benign.example"));
  }

  @Test
  void urlHitsTheRequestAndNotAnotherPath() {
    IntelHit h = only(http("BAD.example", "/payload.exe"), IndicatorType.URL, "Url");
    assertEquals("http://bad.example/payload.exe", h.indicator().value());
    only(http("bad.example:80", "/payload.exe"), IndicatorType.URL, "Url");
    none(http("bad.example", "/payload.exe2"));
    none(http("bad.example", "/Payload.exe"));
    none(http("bad.example:8080", "/payload.exe"));
    none(http("good.example", "/payload.exe"));
  }

  @Test
  void hashesHitTheExecutableAndTheFileAndNotOneDigitOff() {
    List<IntelHit> hits = set.match(exec(MD5, SHA1, SHA256));
    assertEquals(
        List.of("Hashes/md5", "Hashes/sha1", "Hashes/sha256"),
        hits.stream().map(IntelHit::field).toList());
    only(exec(MD5.toUpperCase(), "", ""), IndicatorType.MD5, "Hashes/md5");
    only(file(SHA256), IndicatorType.SHA256, "Hashes/sha256");
    none(exec(MD5.substring(0, 31) + "9", SHA1.substring(0, 39) + "c", "a" + SHA256.substring(1)));
    none(file(SHA256.substring(0, 63) + "9"));
  }

  @Test
  void fileEventHashesHitUnderTheProcessHashFieldNames() {
    List<IntelHit> hits = set.match(file(MD5.toUpperCase(), SHA1, SHA256));
    assertEquals(
        List.of("Hashes/md5", "Hashes/sha1", "Hashes/sha256"),
        hits.stream().map(IntelHit::field).toList());
    assertEquals(
        List.of(IndicatorType.MD5, IndicatorType.SHA1, IndicatorType.SHA256),
        hits.stream().map(h -> h.indicator().type()).toList());
    only(file(MD5, "", ""), IndicatorType.MD5, "Hashes/md5");
    only(file("", SHA1, ""), IndicatorType.SHA1, "Hashes/sha1");
    // Absent hashes (most file events have none) and near misses hit nothing.
    none(file("", "", ""));
    none(file(MD5.substring(0, 31) + "9", SHA1.substring(0, 39) + "c", ""));
    // The STIX pattern over a file's MD5 and SHA-256 together hits a file event with both.
    String md5 = "a".repeat(32);
    String sha256 = "c".repeat(64);
    List<IntelHit> both = set.match(file(md5, "", sha256));
    assertEquals(2, both.size(), both.toString());
    assertTrue(both.stream().allMatch(h -> h.indicator().id().equals("indicator--and")));
    none(file(md5, "", ""));
  }

  @Test
  void tlsFingerprintsHitTheirFieldOnly() {
    only(tls("", JA3, "", ""), IndicatorType.JA3, "Ja3");
    only(tls("", "", JA3S, ""), IndicatorType.JA3S, "Ja3s");
    only(tls("", "", "", JA4), IndicatorType.JA4, "Ja4");
    none(tls("", JA3S, JA3, "")); // a JA3 in the JA3S field is not a JA3S hit
    none(tls("", "", "", JA4.replace("h2", "h1")));
    // The JA3 value is no MD5 indicator: a file with that hash does not hit.
    none(exec(JA3, "", ""));
  }

  @Test
  void andPatternHitsOnlyWhenEveryPartMatchesTheSameEvent() {
    String md5 = "a".repeat(32);
    String sha256 = "c".repeat(64);
    List<IntelHit> hits = set.match(exec(md5, "", sha256));
    assertEquals(2, hits.size(), hits.toString());
    assertTrue(hits.stream().allMatch(h -> h.indicator().id().equals("indicator--and")));
    assertEquals("both hashes", hits.get(0).indicator().sourceName());
    none(exec(md5, "", ""));
    none(exec("", "", sha256));
  }

  @Test
  void eventsWithoutIndicatorFieldsGetTheSharedEmptyList() {
    assertSame(List.of(), set.match(conn("10.0.0.1", "10.0.0.2")));
    assertSame(List.of(), set.match(Event.getDefaultInstance()));
    assertSame(List.of(), IndicatorSet.empty().match(conn("203.0.113.7", "")));
  }

  @Test
  void aMissAllocatesNothing() {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Event[] misses = {
      conn("10.0.0.1", "10.0.0.2"),
      flow("2001:db8:1::1", "198.51.100.200"),
      dns("www.good.example", "192.0.2.9"),
      tls("good.example", "0".repeat(32), "", JA4.replace('t', 'q')),
      http("good.example", "/index.html"),
      exec("1".repeat(32), "2".repeat(40), "3".repeat(64))
    };
    // An array, not a List: the test's own iterator would be the only allocation measured.
    for (int i = 0; i < 20_000; i++) {
      for (Event e : misses) {
        set.match(e);
      }
    }
    long tid = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(tid);
    int hits = 0;
    for (int i = 0; i < 10_000; i++) {
      for (Event e : misses) {
        hits += set.match(e).size();
      }
    }
    long allocated = threads.getThreadAllocatedBytes(tid) - before;
    assertEquals(0, hits);
    // 60,000 lookups: anything per lookup would be megabytes; allow for the measurement itself.
    assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes");
  }
}
