package io.vigil.collector.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.config.DetectionSection;
import io.vigil.collector.store.NewAlert;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.detect.engine.BundledRules;
import io.vigil.detect.engine.RuleCatalog;
import io.vigil.detect.lint.RuleFiles;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.ProcessRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectionStartTest {
  @TempDir Path dir;

  private final MetricsRegistry metrics = new MetricsRegistry();

  private static DetectionSection rulesIn(Path... dirs) {
    return new DetectionSection(true, false, List.of(dirs));
  }

  @Test
  void everyRuleFileThatDoesNotPlainlyRunIsReportedEscapedAndCounted() throws Exception {
    Path rules = dir.resolve("rules");
    TestRules.write(rules, "base64.yml", TestRules.BASE64_DECODE);
    // The same id again: not loaded, and the report says which file had it first.
    TestRules.write(rules, "copy.yml", TestRules.BASE64_DECODE);
    TestRules.write(rules, "broken\u001b[31m.yml", "title: [unclosed\n");
    TestRules.write(
        rules,
        "hostname.yml",
        String.join(
            "\n",
            "title: Needs a field Vigil never fills",
            "id: 0c1d2e3f-0000-4000-8000-000000000002",
            "logsource: {category: network_connection, product: linux}",
            "detection:",
            "  selection: {DestinationPortName: https}",
            "  condition: selection",
            ""));
    TestRules.write(rules, "base64.test.yml", "not a rule: rule tests are not loaded\n");

    EventDetector detector = DetectionStart.start(rulesIn(rules), metrics);

    RuleCatalog catalog = RuleDirectories.load(rulesIn(rules));
    List<DetectionStart.Line> report = DetectionStart.report(catalog);
    String all = String.join("\n", report.stream().map(DetectionStart.Line::text).toList());
    assertEquals(
        "detection: 4 rule files: 1 active; runs 2, unfilled fields 1, skipped 1",
        report.get(0).text(),
        all);
    assertEquals(4, report.size(), "summary + one line per file that is not active\n" + all);
    assertTrue(report.subList(1, 4).stream().allMatch(DetectionStart.Line::warning), all);
    assertTrue(all.contains("broken\\x1b[31m.yml: skipped: does not load"), all);
    assertFalse(all.contains("\u001b"), "no raw escape character reaches the log");
    assertTrue(
        all.contains("copy.yml: runs; not loaded: rule id " + TestRules.BASE64_DECODE_ID), all);
    assertTrue(all.contains("hostname.yml: unfilled fields: Vigil never fills"), all);

    assertEquals(1, metrics.value("vigil_collector_detection_rules_active"));
    assertEquals(2, metrics.value("vigil_collector_detection_rule_files", "class", "runs"));
    assertEquals(
        1, metrics.value("vigil_collector_detection_rule_files", "class", "unfilled_fields"));
    assertEquals(1, metrics.value("vigil_collector_detection_rule_files", "class", "skipped"));

    List<NewAlert> alerts =
        detector.detect("agent-1", "web-1", exec("/usr/bin/base64", "base64 -d /tmp/x")).alerts();
    assertEquals(1, alerts.size());
    NewAlert a = alerts.get(0);
    assertEquals(TestRules.BASE64_DECODE_ID, a.ruleId());
    assertEquals("Test base64 decode", a.title());
    assertEquals("low", a.level());
    assertEquals("[\"attack.t1027\"]", a.tagsJson());
    assertEquals(
        "{\"CommandLine\":[\"base64 -d /tmp/x\"],\"Image\":[\"/usr/bin/base64\"]}",
        a.matchedFieldsJson());
    assertEquals(rules.resolve("base64.yml").toString(), a.ruleOrigin());
    assertEquals("sigma", a.source());
    assertTrue(a.dedupeKey().contains(TestRules.BASE64_DECODE_ID), a.dedupeKey());
    assertEquals(
        Detections.NONE, detector.detect("agent-1", "web-1", exec("/usr/bin/base64", "base64 /x")));
    assertEquals(2, metrics.value("vigil_collector_detection_events_evaluated_total"));
    assertEquals(0, metrics.value("vigil_collector_detection_rule_errors"));
  }

  @Test
  void aRuleDirectoryThatDoesNotExistFailsTheStartNamingTheKeyAndThePath() {
    Path missing = dir.resolve("no-such-rules");
    RuleLoadException e =
        assertThrows(
            RuleLoadException.class, () -> DetectionStart.start(rulesIn(missing), metrics));
    assertEquals(
        "detection.rule_dirs: rule directory " + missing + " does not exist", e.getMessage());
  }

  @Test
  void aRuleDirectoryThatIsAFileFailsTheStart() throws Exception {
    Path file = TestRules.write(dir, "base64.yml", TestRules.BASE64_DECODE);
    RuleLoadException e =
        assertThrows(RuleLoadException.class, () -> DetectionStart.start(rulesIn(file), metrics));
    assertEquals(
        "detection.rule_dirs: rule directory " + file + " is not a directory", e.getMessage());
  }

  @Test
  void theStarterRulesAreLoadedFromTheDetectJarWhenAsked() throws Exception {
    int starterFiles = RuleFiles.list(BundledRules.directory()).size();
    RuleCatalog withStarter = RuleDirectories.load(new DetectionSection(true, true, List.of(dir)));
    assertEquals(starterFiles, withStarter.entries().size());
    TestRules.write(dir, "base64.yml", TestRules.BASE64_DECODE);
    RuleCatalog both = RuleDirectories.load(new DetectionSection(true, true, List.of(dir)));
    assertEquals(starterFiles + 1, both.entries().size());
    assertEquals(dir.resolve("base64.yml"), both.entries().get(both.entries().size() - 1).file());
  }

  @Test
  void disabledDetectionLoadsNothingAndRaisesNothing() throws Exception {
    Path missing = dir.resolve("not-read-when-disabled");
    EventDetector d =
        DetectionStart.start(new DetectionSection(false, true, List.of(missing)), metrics);
    assertEquals(
        Detections.NONE, d.detect("agent-1", "web-1", exec("/usr/bin/base64", "base64 -d")));
    assertEquals(0, metrics.value("vigil_collector_detection_rules_active"));
    assertFalse(Files.exists(missing));
  }

  static Event exec(String image, String commandLine) {
    return Event.newBuilder()
        .setSeq(1)
        .setEventTimeNs(1_700_000_000_000_000_000L)
        .setProcessExec(
            ProcessExec.newBuilder()
                .setProcess(
                    ProcessRef.newBuilder()
                        .setPid(4242)
                        .setImage(image)
                        .setCommandLine(commandLine)))
        .build();
  }
}
