package io.vigil.detect.ruletest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleTestRunnerTest {
  private static final String BASE64_RULE =
      "title: base64 decode\nid: b64\nlogsource:\n  product: linux\n  category: process_creation\n"
          + "detection:\n  sel:\n    Image|endswith: /base64\n    CommandLine|contains: ' -d'\n"
          + "  filter:\n    User: backup\n  condition: sel and not filter\n";

  @TempDir Path dir;

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private static String exec(String image, String commandLine, String user) {
    return "  event:\n    processExec:\n      process: {image: '"
        + image
        + "', commandLine: '"
        + commandLine
        + "', user: "
        + user
        + "}\n";
  }

  private String printed(RuleTestReport report) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), dir);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void passingCasesPassAndEachFailureSaysWhatHappened() throws Exception {
    Path rule = write("proc/b64.yml", BASE64_RULE);
    write(
        "proc/b64.test.yml",
        "- name: decode\n  expect: match\n"
            + exec("/usr/bin/base64", "base64 -d x", "alice")
            + "- name: encode\n  expect: no match\n"
            + exec("/usr/bin/base64", "base64 x", "alice")
            + "- name: backup job decodes\n  expect: no match\n"
            + exec("/usr/bin/base64", "base64 -d dump", "backup")
            + "- name: wrongly expected quiet\n  expect: no match\n"
            + exec("/usr/bin/base64", "base64 -d y", "alice")
            + "- name: a file event\n  expect: match\n"
            + "  event: {file: {action: ACTION_CREATE, path: /usr/bin/base64}}\n");

    RuleTestReport r = RuleTestRunner.run(dir);

    assertEquals(1, r.rules());
    assertEquals(List.of(), r.untested());
    assertEquals(5, r.cases());
    assertEquals(3, r.passed());
    assertEquals(List.of(), r.errors());
    List<CaseFailure> failures = r.failures();
    assertEquals(2, failures.size());

    CaseFailure matched = failures.get(0);
    assertEquals(rule, matched.file());
    assertEquals("wrongly expected quiet", matched.testCase().name());
    assertTrue(matched.matched());
    // The filter's field (User) did not make the rule match and is not listed.
    assertEquals(
        Map.of("Image", List.of("/usr/bin/base64"), "CommandLine", List.of("base64 -d y")),
        matched.matchedFields());
    assertEquals(
        "FAIL proc/b64.yml: case 4 \"wrongly expected quiet\": expected no match, got match on"
            + " Image=[/usr/bin/base64], CommandLine=[base64 -d y]",
        matched.line(dir));

    CaseFailure missed = failures.get(1);
    assertFalse(missed.matched());
    assertEquals(
        "FAIL proc/b64.yml: case 5 \"a file event\": expected match, got no match (the rule's log"
            + " source serves [EVENT_KIND_PROCESS_EXEC], this event is EVENT_KIND_FILE)",
        missed.line(dir));
    assertFalse(r.allPassed());
  }

  @Test
  void aRuleTheCollectorWouldNotLoadFailsItsTestsWithTheReason() throws Exception {
    Path broken = write("broken.yml", "title: t\ndetection: [unclosed\n");
    write("broken.test.yml", "- name: a\n  expect: match\n" + exec("/bin/x", "x", "root"));
    Path never =
        write(
            "never.yml",
            "title: n\nlogsource:\n  product: linux\n  category: network_connection\n"
                + "detection:\n  sel:\n    DestinationPortName: x\n  condition: sel\n");
    write(
        "never.test.yml",
        "- name: a\n  expect: no match\n  event: {connection: {destinationIp: 192.0.2.1}}\n"
            + "- name: b\n  expect: no match\n  event: {connection: {destinationIp: 192.0.2.2}}\n");
    write("a-first.yml", BASE64_RULE);
    Path second = write("b-second.yml", BASE64_RULE);
    write(
        "b-second.test.yml",
        "- name: a\n  expect: match\n" + exec("/bin/base64", "base64 -d", "x"));

    RuleTestReport r = RuleTestRunner.run(dir);

    assertEquals(4, r.rules());
    assertEquals(List.of(dir.resolve("a-first.yml")), r.untested());
    assertEquals(4, r.cases());
    assertEquals(0, r.passed());
    assertEquals(4, r.notRun());
    List<TestError> errors = r.errors();
    assertEquals(List.of(second, broken, never), errors.stream().map(TestError::file).toList());
    assertTrue(
        errors
            .get(0)
            .message()
            .startsWith(
                "the collector would not load this rule: runs; not loaded: rule id b64 already"
                    + " loaded from "),
        errors.get(0).message());
    assertTrue(
        errors.get(1).message().contains("skipped: does not load or compile"),
        errors.get(1).message());
    assertTrue(errors.get(1).message().endsWith("; 1 cases did not run"), errors.get(1).message());
    assertTrue(errors.get(2).message().contains("cannot fire on Vigil"), errors.get(2).message());
    assertTrue(errors.get(2).message().endsWith("; 2 cases did not run"), errors.get(2).message());
  }

  @Test
  void badTestFilesAndCasesAreErrorsAndTheGoodCasesStillRun() throws Exception {
    write("r.yml", BASE64_RULE);
    Path test =
        write(
            "r.test.yml",
            "- name: good\n  expect: match\n"
                + exec("/usr/bin/base64", "base64 -d", "alice")
                + "- name: typo\n  expect: match\n  event: {processExec: {proces: {image: x}}}\n"
                + "- name: unknown key\n  expect: match\n  evnet: {}\n"
                + "- name: bad expect\n  expect: yes\n"
                + exec("/bin/x", "x", "root")
                + "- expect: match\n"
                + exec("/bin/x", "x", "root")
                + "- name: no payload\n  expect: no match\n  event: {seq: 5}\n"
                + "- name: good\n  expect: no match\n"
                + exec("/bin/x", "x", "root")
                + "- just a string\n");
    write("orphan.test.yml", "- name: a\n  expect: match\n" + exec("/bin/x", "x", "root"));
    write("s.yml", BASE64_RULE.replace("id: b64", "id: s"));
    write("s.test.yml", "{name: not a list}\n");
    write("t.yaml", BASE64_RULE.replace("id: b64", "id: t"));
    write("t.test.yaml", "- name: [unclosed\n");
    write("u.yml", BASE64_RULE.replace("id: b64", "id: u"));
    write("u.test.yml", "[]\n");

    RuleTestReport r = RuleTestRunner.run(dir);

    assertEquals(8, r.cases(), "the eight entries of r.test.yml");
    assertEquals(1, r.passed());
    assertEquals(List.of(), r.failures());
    List<String> lines = r.errors().stream().map(e -> e.line(dir)).toList();
    assertEquals(
        List.of(
            "ERROR orphan.test.yml: no rule beside it (orphan.yml or .yaml)",
            "ERROR r.test.yml: case 2 \"typo\": event: Cannot find field: proces in message"
                + " vigil.v1.ProcessExec",
            "ERROR r.test.yml: case 3 \"unknown key\": unknown key 'evnet' (a case has name, expect,"
                + " event)",
            "ERROR r.test.yml: case 4 \"bad expect\": expect: must be 'match' or 'no match', not"
                + " 'yes'",
            "ERROR r.test.yml: case 5: name: missing (a non-empty string)",
            "ERROR r.test.yml: case 6 \"no payload\": event: no payload (processExec, file,"
                + " connection, dns, http, tls, audit, ...)",
            "ERROR r.test.yml: case 7 \"good\": case 1 has the same name",
            "ERROR r.test.yml: case 8: a case is a map with name, expect and event",
            "ERROR s.test.yml: a test file is one YAML list of cases, each with name, expect (match"
                + " or no match) and event"),
        lines.subList(0, 9));
    assertTrue(lines.get(9).startsWith("ERROR t.test.yaml: invalid YAML: "), lines.get(9));
    assertEquals("ERROR u.test.yml: no test cases", lines.get(10));
    assertEquals(11, lines.size());
    assertEquals(test, r.errors().get(1).file());
  }

  @Test
  void theReportEscapesFileTextAndEndsWithCounts() throws Exception {
    write("r.yml", BASE64_RULE);
    write(
        "r.test.yml",
        "- name: \"evil \\e]0;title\\a\"\n  expect: no match\n"
            + exec("/usr/bin/base64", "base64 -d \\x1b[2J", "alice")
            + "- name: fine\n  expect: match\n"
            + exec("/usr/bin/base64", "base64 -d", "alice"));
    write("quiet.yml", BASE64_RULE.replace("id: b64", "id: q"));

    String out = printed(RuleTestRunner.run(dir));

    assertFalse(out.chars().anyMatch(c -> c < 0x20 && c != '\n'), out);
    assertTrue(
        out.startsWith(
            "FAIL r.yml: case 1 \"evil \\x1b]0;title\\x07\": expected no match, got match on"
                + " Image=[/usr/bin/base64], CommandLine=[base64 -d \\\\x1b[2J]\n"),
        out);
    assertTrue(
        out.endsWith(
            "untested quiet.yml\n\n2 rules: 1 tested, 1 untested\n"
                + "2 cases: 1 passed, 1 failed, 0 not run\n0 errors\n"),
        out);
  }

  @Test
  void anEmptyDirectoryHasNothingToFail() throws Exception {
    RuleTestReport r = RuleTestRunner.run(dir);
    assertTrue(r.allPassed());
    assertEquals(0, r.rules());
    assertEquals(0, r.cases());
  }
}
