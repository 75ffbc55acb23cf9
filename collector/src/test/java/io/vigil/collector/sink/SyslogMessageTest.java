package io.vigil.collector.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyslogMessageTest {
  private static final int LOCAL0 = 16;

  private static String format(SyslogMessage m, SinkAlert a) {
    return new String(m.format(a), StandardCharsets.UTF_8);
  }

  @Test
  void messageHasTheRfc5424LayoutWithCefAsMsg() {
    SyslogMessage m = new SyslogMessage(LOCAL0, "collector-1", "vigil", "4711", "1.0", 2048);
    SinkAlert a = CefFormatterTest.alert("Curl to shell", "web-1", "high", "{}");
    assertEquals(
        "<131>1 2023-11-14T22:13:21.987654Z collector-1 vigil 4711 alert [vigil@32473"
            + " alert_id=\"42\" agent_id=\"agent-1\" rule_id=\"rule-1\" source=\"sigma\""
            + " level=\"high\"] CEF:0|Vigil|Vigil Collector|1.0|rule-1|Curl to shell|8|"
            + "rt=1700000001987 externalId=42 cat=sigma dhost=web-1 cs1Label=agent_id"
            + " cs1=agent-1 cs3Label=level cs3=high start=1700000000123 cs2Label=tags"
            + " cs2=attack.t1059,attack.execution",
        format(m, a));
  }

  @Test
  void priorityIsFacilityTimesEightPlusTheLevelsSeverity() {
    assertEquals(2, SyslogMessage.severity("critical"));
    assertEquals(3, SyslogMessage.severity("high"));
    assertEquals(4, SyslogMessage.severity("medium"));
    assertEquals(5, SyslogMessage.severity("low"));
    assertEquals(6, SyslogMessage.severity("informational"));
    assertEquals(6, SyslogMessage.severity(null));
    SyslogMessage auth = new SyslogMessage(SyslogFacility.code("auth"), "h", "a", null, "v", 2048);
    assertTrue(
        format(auth, CefFormatterTest.alert("t", "h", "critical", "{}")).startsWith("<34>1 "));
    assertTrue(format(auth, CefFormatterTest.alert("t", "h", null, "{}")).startsWith("<38>1 "));
  }

  @Test
  void facilityNamesAreRsyslogs() {
    assertEquals(0, SyslogFacility.code("kern"));
    assertEquals(23, SyslogFacility.code("LOCAL7"));
    assertThrows(IllegalArgumentException.class, () -> SyslogFacility.code("local8"));
  }

  @Test
  void timestampIsUtcMicroseconds() {
    assertEquals("1970-01-01T00:00:01.000001Z", SyslogMessage.timestamp(1_000_001_999L));
    assertEquals("-", SyslogMessage.timestamp(0));
  }

  @Test
  void structuredDataEscapesQuoteBackslashAndBracket() {
    SyslogMessage m = new SyslogMessage(LOCAL0, "c", "vigil", "1", "v", 2048);
    SinkAlert a =
        new SinkAlert(1, "ag\"ent]", "h", "sigma", "r\\u\nle", "t", null, List.of(), 1, 1, "{}");
    String out = format(m, a);
    assertTrue(
        out.contains(
            "[vigil@32473 alert_id=\"1\" agent_id=\"ag\\\"ent\\]\" rule_id=\"r\\\\u le\""
                + " source=\"sigma\"] CEF:0|"),
        out);
  }

  @Test
  void headerTokensArePrintableAsciiAndBounded() {
    SyslogMessage m =
        new SyslogMessage(
            LOCAL0,
            "h\u00f6st name" + "x".repeat(300),
            "app name\u0000" + "y".repeat(60),
            "",
            "v",
            2048);
    String out = format(m, CefFormatterTest.alert("t", "h", null, "{}"));
    String[] f = out.split(" ");
    assertEquals("h_st_name" + "x".repeat(246), f[2]);
    assertEquals("app_name_" + "y".repeat(39), f[3]);
    assertEquals("-", f[4], "an empty PROCID is the NILVALUE");
  }

  @Test
  void messageNeverExceedsTheLimitAndStaysValidUtf8() throws Exception {
    String hostile = "\u20ac]\"\\|=\n\uD800".repeat(500);
    SinkAlert a =
        new SinkAlert(
            7,
            hostile,
            hostile,
            hostile,
            hostile,
            hostile,
            "critical",
            List.of(hostile),
            1,
            1,
            "{}");
    for (int max : new int[] {480, 481, 500, 777, 1024, 2048, 8192}) {
      SyslogMessage m = new SyslogMessage(LOCAL0, "collector-1", "vigil", "4711", "v", max);
      byte[] out = m.format(a);
      assertTrue(out.length <= max, max + ": " + out.length);
      CefFormatterTest.strictUtf8(out);
      assertTrue(new String(out, StandardCharsets.UTF_8).contains("] CEF:0|Vigil|"), "CEF kept");
      // The longest header tokens leave no room at 480 bytes: cut, but still within the limit.
      SyslogMessage huge =
          new SyslogMessage(LOCAL0, "c".repeat(255), "a".repeat(48), "1", "v", max);
      byte[] cut = huge.format(a);
      assertTrue(cut.length <= max, max + ": " + cut.length);
      CefFormatterTest.strictUtf8(cut);
    }
  }

  @Test
  void lastResortCutKeepsCharactersWhole() {
    byte[] euro = "a\u20ac\u20ac".getBytes(StandardCharsets.UTF_8);
    assertEquals("a\u20ac", new String(SyslogText.cutUtf8(euro, 6), StandardCharsets.UTF_8));
    assertEquals("a", new String(SyslogText.cutUtf8(euro, 3), StandardCharsets.UTF_8));
  }
}
