package io.vigil.collector.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CefFormatterTest {
  private static final CefFormatter CEF = new CefFormatter("1.2|3");

  static SinkAlert alert(String title, String hostname, String level, String json) {
    return new SinkAlert(
        42,
        "agent-1",
        hostname,
        "sigma",
        "rule-1",
        title,
        level,
        List.of("attack.t1059", "attack.execution"),
        1_700_000_000_123_456_789L,
        1_700_000_001_987_654_321L,
        json);
  }

  @Test
  void plainAlertHasTheDocumentedHeaderAndKeys() {
    String json =
        "{\"alert_id\":42,\"matched_fields\":{\"Image\":[\"/usr/bin/curl\"]},"
            + "\"process\":{\"pid\":4242,\"image\":\"/usr/bin/curl\",\"command_line\":\"curl x\","
            + "\"user\":\"alice\"}}";
    assertEquals(
        "CEF:0|Vigil|Vigil Collector|1.2\\|3|rule-1|Curl to shell|8|rt=1700000001987"
            + " externalId=42 cat=sigma dhost=web-1 cs1Label=agent_id cs1=agent-1"
            + " cs3Label=level cs3=high start=1700000000123 dpid=4242 dproc=/usr/bin/curl"
            + " duser=alice cs2Label=tags cs2=attack.t1059,attack.execution"
            + " cs5Label=command_line cs5=curl x"
            + " cs4Label=matched_fields cs4={\"Image\":[\"/usr/bin/curl\"]}",
        CEF.format(alert("Curl to shell", "web-1", "high", json), 4096));
  }

  @Test
  void headerEscapesPipeAndBackslashAndFlattensLineBreaks() {
    assertEquals("a\\|b\\\\c=d]e\"f g h", CefFormatter.header("a|b\\c=d]e\"f\ng\rh", 100));
  }

  @Test
  void extensionEscapesEqualsBackslashAndLineBreaksButNotPipe() {
    assertEquals("a|b\\\\c\\=d\\ne\\rf", CefFormatter.extension("a|b\\c=d\ne\rf", 100));
  }

  @Test
  void controlCharactersAndLoneSurrogatesBecomeReplacementCharacters() {
    assertEquals(
        "a\uFFFDb\uFFFDc d\uFFFD", CefFormatter.extension("a\u0007b\u009bc\td\uD800", 100));
    assertEquals("x\uFFFDy", CefFormatter.header("x\u2028y", 100));
    assertEquals(
        "\uD83D\uDE00", CefFormatter.header("\uD83D\uDE00", 100), "a paired surrogate stays");
  }

  @Test
  void boundsNeverCutACharacterOrAnEscape() {
    assertEquals("ab", CefFormatter.extension("ab=c", 3), "'\\=' needs two bytes");
    assertEquals("ab\\=", CefFormatter.extension("ab=c", 4));
    assertEquals("a", CefFormatter.header("a\u20ac", 3), "the euro sign needs three bytes");
    assertEquals("a\u20ac", CefFormatter.header("a\u20acb", 4));
  }

  @Test
  void severityFollowsTheLevel() {
    assertEquals(10, CefFormatter.severity("critical"));
    assertEquals(8, CefFormatter.severity("high"));
    assertEquals(5, CefFormatter.severity("medium"));
    assertEquals(3, CefFormatter.severity("low"));
    assertEquals(1, CefFormatter.severity("informational"));
    assertEquals(1, CefFormatter.severity(null));
    assertEquals(1, CefFormatter.severity("bogus"));
  }

  @Test
  void hostileValuesCannotForgeExtensionKeys() {
    String out = CEF.format(alert("t", "h cs1=forged dhost=evil\\", "low", "{}"), 4096);
    assertTrue(out.contains(" dhost=h cs1\\=forged dhost\\=evil\\\\ cs1Label=agent_id"), out);
  }

  @Test
  void recordStaysWithinEveryBudgetAndIsValidUtf8() throws Exception {
    String hostile = "\u20ac|\\=]\"\n".repeat(400);
    String json =
        "{\"matched_fields\":{\"CommandLine\":[\""
            + "=\\\\".repeat(500)
            + "\"]},"
            + "\"process\":{\"pid\":1,\"image\":\""
            + "\u00e9".repeat(900)
            + "\"}}";
    SinkAlert a = alert(hostile, hostile, "critical", json);
    for (int budget = 60; budget < 6000; budget += 37) {
      String out = CEF.format(a, budget);
      byte[] bytes = out.getBytes(StandardCharsets.UTF_8);
      assertTrue(bytes.length <= budget, budget + ": " + bytes.length);
      strictUtf8(bytes);
      assertTrue(out.startsWith("CEF:0|Vigil|Vigil Collector|"), out);
      assertFalse(out.contains("\n"), "no raw line break");
    }
  }

  @Test
  void matchedFieldsAreLeftOutWholeWhenTheyDoNotFit() {
    String json = "{\"matched_fields\":{\"CommandLine\":[\"" + "x".repeat(200) + "\"]}}";
    String roomy = CEF.format(alert("t", "h", "low", json), 4096);
    assertTrue(roomy.contains("cs4={\"CommandLine\":[\"" + "x".repeat(200) + "\"]}"), roomy);
    String tight = CEF.format(alert("t", "h", "low", json), 300);
    assertFalse(tight.contains("cs4"), tight);
    assertTrue(tight.contains("cs2=attack.t1059"), "what fits is still there: " + tight);
  }

  @Test
  void aJsonLineThatDoesNotParseOnlyLosesTheDetails() {
    String out = CEF.format(alert("t", "h", "low", "{not json"), 4096);
    assertTrue(out.contains(" externalId=42 ") && !out.contains("dproc"), out);
  }

  static void strictUtf8(byte[] bytes) throws CharacterCodingException {
    StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes));
  }
}
