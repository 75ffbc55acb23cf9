package io.vigil.detect.intel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain lists and CSV as feeds really are: junk lines, CRLF, byte order marks, quoted commas. */
class ListAndCsvLoaderTest {
  @TempDir Path dir;

  private SourceReport load(Path p) {
    IntelLoad l = IntelLoader.load(List.of(p), IntelLoader.DEFAULT_MAX_FILE_BYTES, Instant.now());
    assertEquals(1, l.reports().size());
    return l.reports().get(0);
  }

  private IndicatorSet set(Path... p) {
    return IntelLoader.load(List.of(p)).set();
  }

  @Test
  void plainListWithBomCrlfCommentsAndJunk() throws IOException {
    Path f = dir.resolve("feed.list");
    String text =
        "\uFEFF# header comment\r\n"
            + "198.51.100.9\r\n"
            + "\r\n"
            + "   evil.example   # trailing comment\r\n"
            + "not a value at all\r\n"
            + "999.1.1.1\r\n"
            + "localhost\r\n"
            + "10.0.0.0/8\r\n"
            + "10.1.2.3/33\r\n"
            + "d41d8cd98f00b204e9800998ecf8427\r\n" // 31 hex digits: no hash
            + "HTTPS://Bad.Example:443/x?q=1\r\n"
            + "ja4:t13d1516h2_8daaf6152771_b0da82dd1658\r\n"
            + "x".repeat(9000)
            + "\r\n"
            + "md5:xyz\r"
            + "last.example";
    Files.write(f, text.getBytes(StandardCharsets.UTF_8));
    SourceReport r = load(f);
    assertEquals("list", r.format());
    assertEquals(
        Map.of(
            IndicatorType.IP, 1,
            IndicatorType.DOMAIN, 2,
            IndicatorType.CIDR, 1,
            IndicatorType.URL, 1,
            IndicatorType.JA4, 1),
        r.loaded());
    assertEquals(7, r.skippedTotal(), r.skipped().toString());
    // 999.1.1.1, localhost, 10.1.2.3/33 and 31 hex digits
    assertEquals(4, r.skipped().get("not an IP, CIDR, URL, hash, JA4 fingerprint or domain name"));
    assertEquals(1, r.skipped().get("more than one value on a line"));
    assertEquals(1, r.skipped().get("line too long"));
    assertEquals(1, r.skipped().get("MD5 is 32 hex digits, not 3 characters"));
    assertTrue(
        r.examples().contains("more than one value on a line: line 5"), r.examples().toString());
    IndicatorSet s = set(f);
    List<String> values = s.indicators().stream().map(Indicator::value).toList();
    assertEquals(
        List.of(
            "198.51.100.9",
            "evil.example",
            "10.0.0.0/8",
            "https://bad.example/x?q=1",
            "t13d1516h2_8daaf6152771_b0da82dd1658",
            "last.example"),
        values);
    assertEquals(f + ":4", s.indicators().get(1).id());
    assertEquals(f + ":15", s.indicators().get(5).id()); // a lone CR ends line 14
  }

  @Test
  void csvWithHeaderQuotedCommasTypesAndJunk() throws IOException {
    Path f = dir.resolve("iocs.csv");
    String text =
        "\uFEFFIndicator_Type,\"Value\",Comment\r\n"
            + "ip-dst,203.0.113.5,\"C2, seen \"\"twice\"\"\"\r\n"
            + "domain,Evil.Example,\"multi\r\nline\"\r\n"
            + "ja3,e7d705a3286e19ea42f587b344ee6865,\r\n"
            + "sha256,abc,too short\r\n"
            + "mutex,Global\\x,unsupported type\r\n"
            + ",2001:db8::1,type guessed\r\n"
            + "\r\n"
            + "url\r\n"
            + "cidr,192.0.2.0/24\n";
    Files.write(f, text.getBytes(StandardCharsets.UTF_8));
    SourceReport r = load(f);
    assertEquals(
        Map.of(
            IndicatorType.IP, 2,
            IndicatorType.DOMAIN, 1,
            IndicatorType.JA3, 1,
            IndicatorType.CIDR, 1),
        r.loaded());
    assertEquals(
        Map.of(
            "SHA256 is 64 hex digits, not 3 characters", 1,
            "unsupported type", 1,
            "missing value column", 1),
        r.skipped());
    IndicatorSet s = set(f);
    Indicator first = s.indicators().get(0);
    assertEquals("C2, seen \"twice\"", first.description());
    assertEquals(f + ":2", first.id());
    assertEquals("multi\r\nline", s.indicators().get(1).description());
    assertEquals("2001:db8::1", s.indicators().get(3).value());
    assertEquals(f + ":8", s.indicators().get(3).id()); // the quoted line break counts
  }

  @Test
  void csvWithoutValueColumnIsAnError() throws IOException {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, "a,b\n1.2.3.4,x\n");
    SourceReport r = load(f);
    assertEquals(0, r.loadedTotal());
    assertTrue(r.errors().get(0).contains("no value column"), r.errors().toString());
  }

  @Test
  void oversizedFileIsRefusedWithTheLimitNamed() throws IOException {
    Path f = dir.resolve("big.txt");
    Files.writeString(f, "203.0.113.1\n".repeat(100));
    IntelLoad l = IntelLoader.load(List.of(f), 1000, Instant.now());
    assertEquals(0, l.set().size());
    assertTrue(l.reports().get(0).errors().get(0).contains("over the limit of 1000 bytes"));
  }

  @Test
  void brokenJsonAndMissingPathAreErrorsAndTheRestLoads() throws IOException {
    Path good = dir.resolve("good.txt");
    Files.writeString(good, "203.0.113.1\n");
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "{\"type\":\"bundle\",\"objects\":[");
    IntelLoad l = IntelLoader.load(List.of(broken, dir.resolve("absent.csv"), good));
    assertEquals(1, l.set().size());
    assertEquals(2, l.failures().size());
    assertTrue(l.failures().get(0).errors().get(0).startsWith("not JSON"));
    assertEquals("no such file or directory", l.failures().get(1).errors().get(0));
  }

  @Test
  void directoryIsWalkedInOrderAndMispFeedReadThroughItsManifest() throws IOException {
    Path d = dir.resolve("intel");
    Files.createDirectories(d.resolve("sub"));
    Files.writeString(d.resolve("b.txt"), "b.example\n");
    Files.writeString(d.resolve("sub/a.txt"), "a.example\n");
    Files.writeString(d.resolve(".b.txt.tmp123"), "junk\n");
    Files.writeString(d.resolve("README.md"), "# not intel\n");
    Path feed = dir.resolve("feed");
    Files.createDirectories(feed);
    String uuid = "5758ebf5-c898-48e6-9fe9-5665c0a83866";
    Files.writeString(feed.resolve("manifest.json"), "{\"" + uuid + "\":{\"info\":\"x\"}}");
    Files.writeString(
        feed.resolve(uuid + ".json"),
        """
        {"Event":{"info":"Feed event","Tag":[{"name":"tlp:white"}],
          "Attribute":[{"type":"domain|ip","value":"c2.example|192.0.2.77","to_ids":"1",
                        "uuid":"a1"}],
          "Object":[{"name":"file","Attribute":[
             {"type":"filename|sha1","value":"x.exe|77B0C41B7D340B8A3D903F21347BBF06AA766B5B",
              "to_ids":true,"uuid":"a2","Tag":[{"name":"malware"}]},
             {"type":"ip-dst|port","value":"2001:db8::5|443","to_ids":true,"uuid":"a3"},
             {"type":"link","value":"https://example.org/report","to_ids":false}]}]}}
        """);
    IntelLoad l = IntelLoader.load(List.of(d, feed));
    assertEquals(
        List.of(
            d.toString(),
            d.resolve("b.txt").toString(),
            d.resolve("sub/a.txt").toString(),
            feed.resolve("manifest.json").toString(),
            feed.resolve(uuid + ".json").toString()),
        l.reports().stream().map(SourceReport::source).toList());
    assertEquals(
        Map.of("not an indicator file (.txt, .list, .csv, .json)", 1),
        l.reports().get(0).skipped());
    SourceReport event = l.reports().get(4);
    assertEquals(
        Map.of(IndicatorType.DOMAIN, 1, IndicatorType.IP, 2, IndicatorType.SHA1, 1),
        event.loaded());
    Indicator sha1 =
        l.set().indicators().stream()
            .filter(i -> i.type() == IndicatorType.SHA1)
            .findFirst()
            .orElseThrow();
    assertEquals("77b0c41b7d340b8a3d903f21347bbf06aa766b5b", sha1.value());
    assertEquals("a2", sha1.id());
    assertEquals("Feed event", sha1.sourceName());
    assertEquals(List.of("tlp:white", "malware"), sha1.labels());
    assertTrue(l.set().indicators().stream().anyMatch(i -> i.value().equals("2001:db8::5")));
  }
}
