package io.vigil.detect.engine;

import static io.vigil.detect.engine.RuleDirs.AUDITD;
import static io.vigil.detect.engine.RuleDirs.PROCESS;
import static io.vigil.detect.engine.RuleDirs.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.FileEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectionEngineTest {
  private static final Event BASE64 =
      TestEvents.exec("alice", "/usr/bin/base64", "base64", "-d", "/tmp/payload");

  @TempDir Path dir;

  private DetectionEngine engine() throws Exception {
    return RuleCatalog.load(List.of(dir)).engine();
  }

  @Test
  void aFindingCarriesTheRuleAndTheEvent() throws Exception {
    Path file =
        rule(
            dir,
            "b64.yml",
            "b64-id",
            PROCESS,
            "  sel:\n    Image|endswith: /base64\n    CommandLine|contains: ' -d'\n"
                + "  condition: sel\n");

    List<Finding> found = engine().evaluate(BASE64);

    assertEquals(1, found.size());
    Finding f = found.get(0);
    assertEquals("b64-id", f.ruleId());
    assertEquals("b64.yml", f.title());
    assertEquals("high", f.level());
    assertEquals(List.of("attack.execution"), f.tags());
    assertEquals(file.toString(), f.ruleOrigin());
    assertSame(BASE64, f.event());
    assertEquals(
        Map.of(
            "Image", List.of("/usr/bin/base64"), "CommandLine", List.of("base64 -d /tmp/payload")),
        f.matchedFields());
    assertEquals(List.of("Image", "CommandLine"), List.copyOf(f.matchedFields().keySet()));
  }

  @Test
  void eventsNoRuleAppliesToAndNonMatchingEventsGiveNoFindings() throws Exception {
    rule(
        dir,
        "b64.yml",
        "b64-id",
        PROCESS,
        "  sel:\n    Image|endswith: /base64\n  condition: sel\n");
    DetectionEngine engine = engine();
    assertEquals(List.of(), engine.evaluate(TestEvents.exec("alice", "/usr/bin/ls", "ls")));
    assertEquals(
        List.of(),
        engine.evaluate(TestEvents.file(FileEvent.Action.ACTION_CREATE, "/usr/bin/base64")));
    assertEquals(List.of(), engine.evaluate(Event.getDefaultInstance()), "no payload");
  }

  @Test
  void matchedFieldsNameOnlyPositiveSearchesNotFiltersOrKeywords() throws Exception {
    rule(
        dir,
        "filtered.yml",
        "f",
        PROCESS,
        "  sel:\n    Image|endswith: /base64\n  other:\n    CommandLine|contains: /tmp/\n"
            + "  unrelated:\n    CurrentDirectory: /nowhere\n"
            + "  filter:\n    User: root\n  kw:\n    - payload\n"
            + "  condition: (sel and not filter) and (kw or unrelated) and other\n");

    Finding f = engine().evaluate(BASE64).get(0);

    // User (under not) did not make the rule match; the keyword search names no field; the
    // unrelated search did not match.
    assertEquals(
        Map.of(
            "Image", List.of("/usr/bin/base64"), "CommandLine", List.of("base64 -d /tmp/payload")),
        f.matchedFields());
  }

  @Test
  void matchedFieldsComeFromTheAlternativeThatMatchedNotFromOnesThatFailed() throws Exception {
    rule(
        dir,
        "alternatives.yml",
        "alt",
        PROCESS,
        "  sel:\n    - Image|endswith: /bash\n      CommandLine|contains: /dev/tcp/\n"
            + "    - Image|endswith: /curl\n  condition: sel\n");

    Finding f =
        engine()
            .evaluate(TestEvents.exec("alice", "/usr/bin/curl", "curl", "http://x/dev/tcp/y"))
            .get(0);

    // CommandLine matched its item, but only inside the bash alternative, which failed.
    assertEquals(Map.of("Image", List.of("/usr/bin/curl")), f.matchedFields());
  }

  @Test
  void aNullFilterOnAPresentFieldIsFalseNotAnError() throws Exception {
    rule(
        dir,
        "null-filter.yml",
        "n",
        PROCESS,
        "  sel:\n    Image|endswith: /base64\n  filter:\n    User: null\n"
            + "  condition: sel and not filter\n");
    DetectionEngine engine = engine();

    assertEquals(1, engine.evaluate(BASE64).size(), "User is present, so the filter is false");
    assertEquals(0, engine.ruleErrors());
  }

  @Test
  void regexLineBreaksAreOnlyNewlineAsInPcre() throws Exception {
    rule(dir, "re.yml", "re", PROCESS, "  sel:\n    CommandLine|re: '^a.b$'\n  condition: sel\n");
    DetectionEngine engine = engine();

    for (String sep : List.of("\r", "\u0085", "\u2028", "\u2029")) {
      assertEquals(
          1, engine.evaluate(TestEvents.exec("alice", "/bin/x", "a" + sep + "b")).size(), sep);
    }
    assertEquals(List.of(), engine.evaluate(TestEvents.exec("alice", "/bin/x", "a\nb")));
  }

  @Test
  void aMatchStandsWhenExplainingItFails() throws Exception {
    // b is never evaluated for the match (a already holds), but explaining the match runs it: on
    // 64 KiB of "ab" the backtracking regex overflows the stack.
    rule(
        dir,
        "explain.yml",
        "x",
        PROCESS,
        "  a:\n    Image|endswith: /bash\n  b:\n    CommandLine|re: '(a|b)*z'\n"
            + "  condition: a or b\n");
    DetectionEngine engine = engine();

    List<Finding> found =
        engine.evaluate(TestEvents.exec("alice", "/usr/bin/bash", "bash", "ab".repeat(50_000)));

    assertEquals(1, found.size());
    if (engine.ruleErrors() > 0) {
      assertEquals(Map.of(), found.get(0).matchedFields(), "explanation failed: no fields");
    } else {
      assertEquals(List.of("Image"), List.copyOf(found.get(0).matchedFields().keySet()));
    }
  }

  @Test
  void rulesSharingALogSourceArePresentedTheEventOnce() throws Exception {
    rule(dir, "a.yml", "a", PROCESS, "  sel:\n    Image|endswith: /base64\n  condition: sel\n");
    rule(
        dir,
        "b.yml",
        "b",
        "  product: Linux\n  category: Process_Creation\n",
        "  sel:\n    CommandLine|contains: ' -d'\n  condition: sel\n");
    rule(dir, "c.yml", "c", AUDITD, "  sel:\n    type: EXECVE\n    a0: base64\n  condition: sel\n");
    rule(
        dir,
        "d.yml",
        "d",
        "  product: linux\n  category: file_event\n",
        "  sel:\n    TargetFilename: /x\n  condition: sel\n");

    DetectionEngine engine = engine();

    assertEquals(4, engine.ruleCount());
    // process_creation (a and b, letter case aside) and auditd: two presentations of an exec.
    assertEquals(2, engine.presentationsPerEvent(EventKind.EVENT_KIND_PROCESS_EXEC));
    assertEquals(1, engine.presentationsPerEvent(EventKind.EVENT_KIND_FILE));
    assertEquals(1, engine.presentationsPerEvent(EventKind.EVENT_KIND_AUDIT));
    assertEquals(0, engine.presentationsPerEvent(EventKind.EVENT_KIND_DNS));
    List<Finding> found = engine.evaluate(BASE64);
    assertEquals(List.of("a", "b", "c"), found.stream().map(Finding::ruleId).sorted().toList());
    Finding auditd = found.stream().filter(f -> f.ruleId().equals("c")).findFirst().orElseThrow();
    assertEquals(
        Map.of("type", List.of("EXECVE"), "a0", List.of("base64")), auditd.matchedFields());
  }

  @Test
  void anAuditdRuleMatchingSeveralRecordsOfOneEventIsOneFinding() throws Exception {
    // Three auditd views of this exec hold "base64" (SYSCALL exe and comm, EXECVE a0, PATH name):
    // the keyword search matches each of them, the rule fires once.
    rule(dir, "kw.yml", "kw", AUDITD, "  kw:\n    - base64\n  condition: kw\n");
    rule(
        dir,
        "path.yml",
        "path",
        AUDITD,
        "  sel:\n    - type: SYSCALL\n      exe|endswith: /base64\n"
            + "    - type: PATH\n      name|endswith: /base64\n  condition: sel\n");

    List<Finding> found = engine().evaluate(BASE64);

    assertEquals(List.of("kw", "path"), found.stream().map(Finding::ruleId).toList());
    Finding path = found.get(1);
    assertEquals("SYSCALL", path.matchedFields().get("type").get(0), "the first matching view");
  }

  @Test
  void engineOverNoRulesFindsNothing() {
    DetectionEngine engine = DetectionEngine.of(List.of());
    assertEquals(0, engine.ruleCount());
    assertEquals(List.of(), engine.evaluate(BASE64));
    assertEquals(0, engine.ruleErrors());
  }

  @Test
  void findingsAreImmutable() throws Exception {
    rule(
        dir,
        "b64.yml",
        "b64-id",
        PROCESS,
        "  sel:\n    Image|endswith: /base64\n  condition: sel\n");
    Finding f = engine().evaluate(BASE64).get(0);
    assertThrows(UnsupportedOperationException.class, () -> f.matchedFields().put("x", List.of()));
    assertThrows(UnsupportedOperationException.class, () -> f.tags().add("x"));
  }
}
