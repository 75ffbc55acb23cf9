package io.vigil.detect.intel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The STIX pattern subset: what becomes terms, and the reason for what does not. */
class StixPatternTest {
  private static List<List<String>> terms(String pattern) {
    StixPattern.Result r = StixPattern.parse(pattern);
    assertNull(r.unsupported(), pattern);
    return r.terms().stream()
        .map(
            t ->
                t.stream()
                    .map(l -> l.ok() ? l.type() + " " + l.value() : "! " + l.problem())
                    .toList())
        .toList();
  }

  private static String unsupported(String pattern) {
    StixPattern.Result r = StixPattern.parse(pattern);
    assertTrue(r.terms().isEmpty());
    return r.unsupported();
  }

  @Test
  void orAndAndWithPrecedenceAndParentheses() {
    assertEquals(
        List.of(List.of("IP 192.0.2.1"), List.of("DOMAIN a.example")),
        terms("[ipv4-addr:value = '192.0.2.1' OR domain-name:value = 'A.example']"));
    assertEquals(
        List.of(List.of("IP 192.0.2.1"), List.of("DOMAIN a.example", "URL http://a.example/x")),
        terms(
            "[ipv4-addr:value = '192.0.2.1' OR domain-name:value = 'a.example' AND url:value ="
                + " 'http://A.example:80/x']"));
    assertEquals(
        List.of(
            List.of("MD5 " + "a".repeat(32), "IP 192.0.2.1"),
            List.of("MD5 " + "a".repeat(32), "CIDR 2001:db8::/32")),
        terms(
            "[file:hashes.MD5 = '"
                + "A".repeat(32)
                + "'] AND ([ipv4-addr:value = '192.0.2.1'] OR [ipv6-addr:value ="
                + " '2001:db8::/32'])"));
  }

  @Test
  void hashNamesQuotedOrNotAnyCase() {
    assertEquals(
        List.of(List.of("SHA1 " + "b".repeat(40)), List.of("SHA256 " + "c".repeat(64))),
        terms(
            "[file:hashes.'SHA-1' = '"
                + "b".repeat(40)
                + "' OR file:hashes.sha256 = '"
                + "c".repeat(64)
                + "']"));
  }

  @Test
  void unsupportedComparisonsStayInTheirTermWithAReason() {
    assertEquals(
        List.of(List.of("! path file:name"), List.of("IP 192.0.2.1")),
        terms("[file:name = 'x.exe' OR ipv4-addr:value = '192.0.2.1']"));
    assertEquals(
        List.of(List.of("! LIKE on domain-name:value")),
        terms("[domain-name:value LIKE '%.example']"));
    assertEquals(
        List.of(List.of("! NOT = on ipv4-addr:value")),
        terms("[ipv4-addr:value NOT = '192.0.2.1']"));
    assertEquals(
        List.of(List.of("! IN on ipv4-addr:value")),
        terms("[ipv4-addr:value IN ('192.0.2.1', '192.0.2.2')]"));
    assertEquals(
        List.of(List.of("! ISSUBSET on ipv4-addr:value")),
        terms("[ipv4-addr:value ISSUBSET '192.0.2.0/24']"));
  }

  @Test
  void qualifiersSequencesAndSyntaxErrorsMakeTheWholePatternUnsupported() {
    assertEquals(
        "qualifier WITHIN", unsupported("[ipv4-addr:value = '192.0.2.1'] WITHIN 300 SECONDS"));
    assertEquals(
        "qualifier REPEATS", unsupported("[ipv4-addr:value = '192.0.2.1'] REPEATS 5 TIMES"));
    assertEquals(
        "qualifier START",
        unsupported(
            "[ipv4-addr:value = '192.0.2.1'] START t'2016-06-01T00:00:00Z' STOP"
                + " t'2016-07-01T00:00:00Z'"));
    assertEquals(
        "FOLLOWEDBY (a sequence of events)",
        unsupported("[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [domain-name:value = 'a.b']"));
    assertTrue(unsupported("[ipv4-addr:value = '192.0.2.1'").startsWith("syntax"));
    assertTrue(unsupported("[ipv4-addr:value = 'unterminated]").startsWith("syntax"));
    assertTrue(unsupported("ipv4-addr:value = '1.2.3.4'").startsWith("syntax"));
  }

  @Test
  void explosiveOrOfAndsIsRefused() {
    String or = "([ipv4-addr:value = '192.0.2.1'] OR [ipv4-addr:value = '192.0.2.2'])";
    String p = String.join(" AND ", java.util.Collections.nCopies(9, or));
    assertTrue(unsupported(p).startsWith("more than"));
  }

  @Test
  void ipTextRoundTripsToCanonicalForm() {
    assertEquals(
        "2001:db8::1", IndicatorValues.as(IndicatorType.IP, "2001:0DB8:0:0:0:0:0:1").value());
    assertEquals(
        "2001:db8:0:1::", IndicatorValues.as(IndicatorType.IP, "2001:db8:0:1:0:0:0:0").value());
    assertEquals(
        "2001:0:0:1::1", IndicatorValues.as(IndicatorType.IP, "2001:0:0:1:0:0:0:1").value());
    assertEquals("::", IndicatorValues.as(IndicatorType.IP, "::").value());
    assertEquals("192.0.2.1", IndicatorValues.as(IndicatorType.IP, "::ffff:192.0.2.1").value());
    assertEquals("10.0.0.0/8", IndicatorValues.as(IndicatorType.CIDR, "10.1.2.3/8").value());
    assertEquals(
        "192.0.2.0/24", IndicatorValues.as(IndicatorType.CIDR, "::ffff:192.0.2.0/120").value());
    for (String bad :
        List.of(
            "1.2.3",
            "01.2.3.4",
            "1.2.3.4.5",
            "1::2::3",
            "1:2:3:4:5:6:7:8:9",
            ":1::",
            "12345::1",
            "1.2.3.256")) {
      assertTrue(!IndicatorValues.as(IndicatorType.IP, bad).ok(), bad);
    }
  }
}
