package io.vigil.detect.intel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.testing.TestData;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every STIX and MISP sample of the shared test data loads, with the indicators by type each one
 * holds and the reasons for what it does not; the table printed at the end is the summary.
 */
class IntelSamplesTest {
  private static final Map<String, SourceReport> SEEN =
      new java.util.concurrent.ConcurrentSkipListMap<>();

  private static SourceReport load(String sub) {
    Path p = TestData.require("intel").resolve(sub);
    IntelLoad l = IntelLoader.load(List.of(p), IntelLoader.DEFAULT_MAX_FILE_BYTES, Instant.now());
    assertEquals(1, l.reports().size(), sub);
    SourceReport r = l.reports().get(0);
    SEEN.put(sub, r);
    assertEquals(r.loaded(), l.set().countsByType(), sub);
    return r;
  }

  private static Map<IndicatorType, Integer> counts(Object... typeAndCount) {
    Map<IndicatorType, Integer> m = new EnumMap<>(IndicatorType.class);
    for (int i = 0; i < typeAndCount.length; i += 2) {
      m.put((IndicatorType) typeAndCount[i], (Integer) typeAndCount[i + 1]);
    }
    return m;
  }

  @Test
  void stixSingleIpIndicator() {
    SourceReport r = load("stix/examples/indicator-for-c2-ip-address.json");
    assertEquals("stix", r.format());
    assertEquals(counts(IndicatorType.IP, 1), r.loaded());
    assertEquals(Map.of(), r.skipped());
    assertEquals(List.of(), r.errors());
  }

  @Test
  void stixIndicatorWithCampaign() {
    SourceReport r = load("stix/examples/indicator-to-campaign-relationship.json");
    assertEquals(counts(IndicatorType.IP, 1), r.loaded());
  }

  @Test
  void stixIpAndSha256WithCourseOfAction() {
    SourceReport r = load("stix/examples/indicators-for-C2-with-COA.json");
    assertEquals(counts(IndicatorType.IP, 1, IndicatorType.SHA256, 1), r.loaded());
  }

  @Test
  void stixBundleOfObservablesHasNoIndicators() {
    SourceReport r = load("stix/examples/infrastructure.json");
    assertEquals(0, r.loadedTotal());
    assertEquals(Map.of("no indicator objects", 1), r.skipped());
    assertTrue(r.examples().get(0).contains("bundle of 10 objects"), r.examples().toString());
    assertEquals(List.of(), r.errors());
  }

  @Test
  void stixSingleNonIndicatorObject() {
    SourceReport r = load("stix/examples/interop-objectmarking-test.json");
    assertEquals("stix", r.format());
    assertEquals(0, r.loadedTotal());
    assertTrue(r.examples().get(0).contains("campaign"), r.examples().toString());
  }

  @Test
  void stixEmailMatchesPatternsAreUnsupported() {
    SourceReport r = load("stix/examples/malicious-email-indicator-with-attachment.json");
    assertEquals(0, r.loadedTotal());
    assertEquals(Map.of("unsupported pattern", 2), r.skipped());
    assertTrue(
        r.examples().stream().allMatch(e -> e.contains("MATCHES on email-message:")),
        r.examples().toString());
    assertTrue(r.examples().get(0).contains("indicator--"), r.examples().toString());
  }

  @Test
  void apt1NetworksDomainsHashesAndUnsupportedX509() {
    SourceReport r = load("stix/examples/threat-reports/apt1.json");
    assertEquals(
        counts(IndicatorType.CIDR, 4, IndicatorType.DOMAIN, 3, IndicatorType.MD5, 3), r.loaded());
    assertEquals(Map.of("unsupported pattern", 2), r.skipped());
    assertTrue(
        r.examples().stream().allMatch(e -> e.contains("path x509-certificate:issuer")),
        r.examples().toString());
  }

  @Test
  void poisonIvyOrPatternsAndFileNames() {
    SourceReport r = load("stix/examples/threat-reports/poisonivy.json");
    // 25 indicators: 23 OR patterns of domains and IPs, 2 file:name (unsupported); one domain
    // value holds a space ('domain autuo.xicp.net') and is dropped from its OR.
    assertEquals(counts(IndicatorType.DOMAIN, 24, IndicatorType.IP, 40), r.loaded());
    assertEquals(Map.of("unsupported pattern", 2, "unsupported part of a pattern", 1), r.skipped());
    assertTrue(
        r.examples().stream().anyMatch(e -> e.contains("path file:name")), r.examples().toString());
    assertTrue(
        r.examples().stream().anyMatch(e -> e.contains("domain autuo.xicp.net")),
        r.examples().toString());
  }

  @Test
  void mispEventWithWrapper() {
    SourceReport r = load("misp/57c4445b-c548-4654-af0b-4be3950d210f.json");
    assertEquals("misp", r.format());
    assertEquals(
        counts(IndicatorType.MD5, 1, IndicatorType.SHA1, 1, IndicatorType.SHA256, 1), r.loaded());
    assertEquals(
        Map.of(
            "not for IDS (to_ids false)", 4,
            "unsupported MISP type filename", 1,
            "unsupported MISP type regkey|value", 1),
        r.skipped());
  }

  @Test
  void mispBareEventWithUnsupportedAttribute() {
    SourceReport r = load("misp/attribute.json");
    assertEquals(0, r.loadedTotal());
    assertEquals(Map.of("unsupported MISP type filename", 1), r.skipped());
    assertEquals(List.of(), r.errors());
  }

  @Test
  void mispEventWithoutAttributes() {
    SourceReport r = load("misp/event.json");
    assertEquals("misp", r.format());
    assertEquals(0, r.loadedTotal());
    assertEquals(List.of(), r.errors());
  }

  @Test
  void mispEventNotForIds() {
    SourceReport r = load("misp/misp_event.json");
    assertEquals(0, r.loadedTotal());
    assertEquals(Map.of("not for IDS (to_ids false)", 2), r.skipped());
  }

  @Test
  void emptyJsonObjectIsAnError() {
    SourceReport r = load("misp/simple.json");
    assertEquals(0, r.loadedTotal());
    assertEquals(1, r.errors().size(), r.errors().toString());
  }

  @AfterAll
  static void printTable() {
    StringBuilder b =
        new StringBuilder("\nintel samples (file | format | loaded by type | skipped | errors)\n");
    SEEN.forEach(
        (f, r) ->
            b.append(
                String.format(
                    "%-62s | %-4s | %-40s | %s | %s%n",
                    f,
                    r.format(),
                    r.loaded().isEmpty() ? "-" : new java.util.TreeMap<>(r.loaded()),
                    r.skipped().isEmpty() ? "-" : new java.util.TreeMap<>(r.skipped()),
                    r.errors().isEmpty() ? "-" : r.errors())));
    System.out.println(b);
  }
}
