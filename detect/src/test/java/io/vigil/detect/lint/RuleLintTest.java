package io.vigil.detect.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.lint.LintVerdict.Kind;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleLintTest {
  @TempDir Path dir;

  private void rule(String name, String logsource, String detection) throws Exception {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "title: t\nlogsource:\n" + logsource + "detection:\n" + detection);
  }

  private LintVerdict verdict(LintReport report, String name) {
    return report.verdicts().stream()
        .filter(v -> v.file().equals(dir.resolve(name)))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void everyRuleGetsExactlyOneClassWithItsFieldsOrReason() throws Exception {
    rule(
        "runs.yml",
        "  product: linux\n  category: process_creation\n",
        "  sel:\n    Image|endswith: /base64\n    CommandLine|contains: ' -d'\n  condition: sel\n");
    rule(
        "partly.yml",
        "  product: linux\n  category: process_creation\n",
        "  a:\n    OriginalFileName: x\n  b:\n    Image: /bin/x\n  condition: a or b\n");
    rule(
        "nowhere.yml",
        "  product: linux\n  category: network_connection\n",
        "  sel:\n    DestinationPortName: https\n    Initiated: 'true'\n" + "  condition: sel\n");
    rule("sub/bad.yml", "  product: linux\n", "  sel: [unclosed\n");
    Files.writeString(
        dir.resolve("corr.yml"),
        "title: a\nname: a\nlogsource:\n  product: linux\n  category: process_creation\n"
            + "detection:\n  sel:\n    Image: x\n  condition: sel\n---\n"
            + "title: c\ncorrelation:\n  type: event_count\n  rules: [a, missing]\n"
            + "  timespan: 1h\n  condition: {gte: 2}\n");
    rule(
        "registry.yml",
        "  product: windows\n  category: registry_set\n",
        "  sel:\n    TargetObject: x\n  condition: sel\n");
    rule(
        "winless.yml",
        "  category: registry_set\n",
        "  sel:\n    TargetObject: x\n  condition: sel\n");

    LintReport report = RuleLint.lint(dir);

    assertEquals(Kind.RUNS, verdict(report, "runs.yml").kind());
    LintVerdict partly = verdict(report, "partly.yml");
    assertEquals(Kind.UNFILLED_FIELDS, partly.kind());
    assertEquals(Set.of("OriginalFileName"), partly.unfilledFields());
    assertTrue(partly.canStillFire());
    LintVerdict nowhere = verdict(report, "nowhere.yml");
    assertEquals(Set.of("DestinationPortName"), nowhere.unfilledFields());
    assertFalse(nowhere.canStillFire());
    LintVerdict bad = verdict(report, "sub/bad.yml");
    assertEquals(Kind.SKIPPED, bad.kind());
    assertEquals("does not load or compile", bad.reasonGroup());
    // A multi-document file: one verdict per rule, the base rule runs, the correlation does not
    // resolve (nothing is named 'missing').
    java.util.List<LintVerdict> corr =
        report.verdicts().stream().filter(v -> v.file().equals(dir.resolve("corr.yml"))).toList();
    assertEquals(2, corr.size());
    assertEquals(Kind.RUNS, corr.get(0).kind());
    assertEquals("document 1 (rule a)", corr.get(0).part());
    assertEquals(Kind.SKIPPED, corr.get(1).kind());
    assertTrue(corr.get(1).correlation());
    assertEquals("document 2 (event_count correlation)", corr.get(1).part());
    assertEquals("correlation: unresolved reference", corr.get(1).reasonGroup());
    assertTrue(corr.get(1).reason().contains("'missing'"), corr.get(1).reason());
    assertEquals(
        "product windows: Vigil has no telemetry from that product",
        verdict(report, "registry.yml").reason());
    assertEquals(
        "category registry_set: no Vigil telemetry", verdict(report, "winless.yml").reason());

    assertEquals(
        Map.of(Kind.RUNS, 2, Kind.UNFILLED_FIELDS, 2, Kind.SKIPPED, 4), report.countsByKind());
    assertEquals(
        Map.of(
            "does not load or compile", 1,
            "correlation: unresolved reference", 1,
            "product windows: Vigil has no telemetry from that product", 1,
            "category registry_set: no Vigil telemetry", 1),
        report.skippedByReason());
  }

  @Test
  void itemsThatMatchAnAbsentFieldAndNegationsKeepTheRuleAlive() throws Exception {
    rule(
        "nullable.yml",
        "  product: linux\n  category: process_creation\n",
        "  sel:\n    OriginalFileName: null\n  condition: sel\n");
    rule(
        "negated.yml",
        "  product: linux\n  category: process_creation\n",
        "  sel:\n    Image: /bin/x\n  filter:\n    Company: Acme\n  condition: sel and not filter\n");
    LintReport report = RuleLint.lint(dir);
    assertTrue(verdict(report, "nullable.yml").canStillFire());
    assertTrue(verdict(report, "negated.yml").canStillFire());
    assertEquals(Set.of("Company"), verdict(report, "negated.yml").unfilledFields());
    // The filter can never match here, so "not filter" passes everything: wider than written.
    assertFalse(verdict(report, "nullable.yml").widened());
    assertTrue(verdict(report, "negated.yml").widened());
    assertEquals(Set.of("filter"), verdict(report, "negated.yml").negatedDeadSearches());
    assertTrue(verdict(report, "negated.yml").detail().contains("more widely than written"));
  }

  @Test
  void auditdRecordsCarryAnyFieldSoAuditdRulesRun() throws Exception {
    rule(
        "auditd.yml",
        "  product: linux\n  service: auditd\n",
        "  sel:\n    type: EXECVE\n    a0: base64\n    a1: -d\n  condition: sel\n");
    assertEquals(Kind.RUNS, verdict(RuleLint.lint(dir), "auditd.yml").kind());
  }

  @Test
  void reportEscapesRuleTextAndCountsEachClass() throws Exception {
    rule("evil\u001b]0;pwned\u0007.yml", "  product: linux\n", "  sel: [\n");
    rule(
        "ok.yml",
        "  product: linux\n  category: process_creation\n",
        "  sel:\n    Image: x\n  condition: sel\n");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    RuleLint.lint(dir).print(new PrintStream(bytes, true, StandardCharsets.UTF_8), dir);
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertFalse(out.chars().anyMatch(c -> c < 0x20 && c != '\n'), out);
    assertTrue(
        out.startsWith("evil\\x1b]0;pwned\\x07.yml: skipped: does not load or compile"), out);
    assertTrue(out.contains("2 rules\n  runs: 1\n  unfilled fields: 0\n  skipped: 1\n"), out);
  }
}
