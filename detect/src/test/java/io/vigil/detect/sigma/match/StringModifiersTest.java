package io.vigil.detect.sigma.match;

import static io.vigil.detect.sigma.match.Fixtures.hits;
import static io.vigil.detect.sigma.match.Fixtures.rule;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** contains, startswith, endswith, all, cased, windash and re with its flags. */
class StringModifiersTest {

  @Test
  void containsFindsTheValueAnywhere() {
    assertTrue(hits("CommandLine|contains", "curl http://X | SH", "| sh"));
    assertFalse(hits("CommandLine|contains", "curl http://x |sh", "| sh"));
  }

  @Test
  void startswithAnchorsAtTheBeginning() {
    assertTrue(hits("Image|startswith", "/TMP/x", "/tmp/"));
    assertFalse(hits("Image|startswith", "/var/tmp/x", "/tmp/"));
  }

  @Test
  void endswithAnchorsAtTheEnd() {
    // Spec example: Image|endswith: '\\example.exe'
    assertTrue(hits("Image|endswith", "C:\\temp\\Example.exe", "\\example.exe"));
    assertFalse(hits("Image|endswith", "C:\\temp\\example.exe.txt", "\\example.exe"));
  }

  @Test
  void wildcardsInsideContainsStillWork() {
    assertTrue(hits("CommandLine|contains", "wget http://a/b -O /tmp/x", "http*/tmp/"));
    assertFalse(hits("CommandLine|contains", "wget /tmp/x http://a", "http*/tmp/"));
  }

  @Test
  void allRequiresEveryValue() {
    FieldMatcher m = rule("CommandLine|contains|all", "-enc", "hidden");
    assertTrue(m.matches(MapFields.of("CommandLine", "ps -w HIDDEN -ENC abc")));
    assertFalse(m.matches(MapFields.of("CommandLine", "ps -enc abc")));
  }

  @Test
  void withoutAllOneValueSuffices() {
    FieldMatcher m = rule("CommandLine|contains", "-enc", "hidden");
    assertTrue(m.matches(MapFields.of("CommandLine", "ps -enc abc")));
    assertFalse(m.matches(MapFields.of("CommandLine", "ps -e abc")));
  }

  @Test
  void casedMatchesCaseSensitively() {
    assertTrue(hits("CommandLine|contains|cased", "run EvilTool now", "EvilTool"));
    assertFalse(hits("CommandLine|contains|cased", "run eviltool now", "EvilTool"));
    assertTrue(hits("User|cased", "Ärger", "Ärger"));
    assertFalse(hits("User|cased", "ärger", "Ärger"));
  }

  @Test
  void windashMatchesEveryDashVariant() {
    String[] dashes = {"-", "/", "\u2013", "\u2014", "\u2015"};
    for (String d : dashes) {
      assertTrue(
          hits("CommandLine|windash|contains", "net user " + d + "add x", " -add"), "dash " + d);
      assertTrue(
          hits("CommandLine|windash|contains", "net user -add x", " " + d + "add"),
          "rule dash " + d);
    }
  }

  @Test
  void windashDoesNotMatchOtherCharacters() {
    assertFalse(hits("CommandLine|windash|contains", "net user _add x", " -add"));
    assertFalse(hits("CommandLine|windash|contains", "net user \\add x", " -add"));
    assertFalse(hits("CommandLine|windash|contains", "net user add x", " -add"));
  }

  @Test
  void regexIsCaseSensitiveByDefaultAndUnanchored() {
    assertTrue(hits("CommandLine|re", "sh -c 'base64 -d'", "base64 -[di]"));
    assertFalse(hits("CommandLine|re", "sh -c 'BASE64 -d'", "base64 -[di]"));
  }

  @Test
  void regexAnchorsAreHonoured() {
    assertTrue(hits("Image|re", "/usr/bin/nc", "^/usr/bin/(nc|ncat)$"));
    assertFalse(hits("Image|re", "/usr/bin/nc.traditional", "^/usr/bin/(nc|ncat)$"));
  }

  @Test
  void regexFlagIMakesItCaseInsensitive() {
    assertTrue(hits("CommandLine|re|i", "BASE64 -D", "base64 -[di]"));
    assertFalse(hits("CommandLine|re|i", "BASE64 -X", "base64 -[di]"));
  }

  @Test
  void regexFlagMMakesAnchorsMatchPerLine() {
    assertTrue(hits("Script|re|m", "line one\nrm -rf /\nend", "^rm -rf /$"));
    assertFalse(hits("Script|re", "line one\nrm -rf /\nend", "^rm -rf /$"));
  }

  @Test
  void regexFlagSLetsDotMatchNewline() {
    assertTrue(hits("Script|re|s", "curl x\n| sh", "curl.*sh"));
    assertFalse(hits("Script|re", "curl x\n| sh", "curl.*sh"));
  }

  @Test
  void regexSeesOnlyTheFirst64KibOfAValue() {
    String big = "a".repeat(ValueTests.MAX_REGEX_INPUT) + "needle";
    assertFalse(hits("Payload|re", big, "needle"));
    assertFalse(hits("Payload|re", big, "a$"));
    assertTrue(hits("Payload|re", "needle" + big, "needle"));
  }

  @Test
  void numberValueTakesStringModifiersAsText() {
    assertTrue(hits("CommandLine|contains", "port 4444 open", 4444));
    assertFalse(hits("CommandLine|contains", "port 444 open", 4444));
  }
}
