package io.vigil.detect.ruletest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.lint.LintReport;
import io.vigil.detect.lint.LintVerdict;
import io.vigil.detect.lint.RuleFiles;
import io.vigil.detect.lint.RuleLint;
import io.vigil.detect.sigma.rule.SigmaCorrelation;
import io.vigil.detect.sigma.rule.SigmaDocument;
import io.vigil.detect.sigma.rule.SigmaRule;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Vigil's starter ruleset (the module's {@code rules} folder) as shipped. */
class StarterRulesTest {
  /** The source folder; surefire runs in the module directory. */
  private static final Path RULES = Path.of("rules").toAbsolutePath();

  /** Which log sources each subfolder holds. */
  private static final Map<String, Set<String>> CATEGORIES =
      Map.of(
          "process", Set.of("process_creation"),
          "file", Set.of("file_event", "file_change", "file_delete", "file_rename"),
          "network", Set.of("network_connection", "dns_query", "tls"));

  /** A file of correlation rules only (the correlation folder): no event to test it on. */
  private static boolean correlationOnly(Path file) throws Exception {
    return SigmaRuleLoader.loadAll(file).stream().allMatch(d -> d.correlation() != null);
  }

  @Test
  void everyStarterRuleRunsOnVigilsTelemetry() throws Exception {
    LintReport report = RuleLint.lint(RULES);
    assertTrue(report.verdicts().size() >= 20, "starter rules: " + report.verdicts().size());
    for (LintVerdict v : report.verdicts()) {
      assertEquals(LintVerdict.Kind.RUNS, v.kind(), v.file() + ": " + v.detail());
    }
  }

  @Test
  void everyStarterRuleHasTestsAndTheyAllPass() throws Exception {
    RuleTestReport report = RuleTestRunner.run(RULES);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), RULES);
    String printed = bytes.toString(StandardCharsets.UTF_8);

    assertTrue(report.allPassed(), printed);
    assertEquals(List.of(), report.untested(), printed);
    assertEquals(report.cases(), report.passed(), printed);
  }

  @Test
  void everyStarterRuleHasANearMissAndAMatchCase() throws Exception {
    for (Path rule : RuleFiles.list(RULES)) {
      if (correlationOnly(rule)) {
        continue; // tested through the engines in io.vigil.detect.engine.StarterCorrelationTest
      }
      String name = rule.getFileName().toString();
      Path test = rule.resolveSibling(name.substring(0, name.length() - 4) + ".test.yml");
      RuleTestFile cases = RuleTestFile.read(test);
      assertEquals(List.of(), cases.problems(), test.toString());
      assertTrue(cases.cases().stream().anyMatch(RuleTestCase::expectMatch), test + ": a match");
      assertTrue(cases.cases().stream().anyMatch(c -> !c.expectMatch()), test + ": a near miss");
    }
  }

  @Test
  void everyStarterRuleIsDocumentedWithAUniqueUuidAndAttackTags() throws Exception {
    Set<String> ids = new HashSet<>();
    for (Path file : RuleFiles.list(RULES)) {
      String where = RULES.relativize(file).toString();
      if (RULES.relativize(file).getName(0).toString().equals("correlation")) {
        for (SigmaDocument d : SigmaRuleLoader.loadAll(file)) {
          SigmaCorrelation c = d.correlation();
          assertNotNull(c, where + ": only correlations in correlation/");
          assertTrue(file.getFileName().toString().startsWith("mr_"), where + ": mr_ prefix");
          assertEquals(c.id(), UUID.fromString(c.id()).toString(), where + ": id is a UUID");
          assertTrue(ids.add(c.id()), where + ": duplicate id " + c.id());
          assertNotNull(c.description(), where + ": description");
          assertNotNull(c.level(), where + ": level");
          assertEquals("experimental", c.status(), where);
          assertFalse(c.falsepositives().isEmpty(), where + ": falsepositives");
          assertTrue(
              c.tags().stream().anyMatch(t -> t.matches("attack\\.t\\d{4}(\\.\\d{3})?")),
              where + ": an ATT&CK technique tag");
        }
        continue;
      }
      SigmaRule rule = SigmaRuleLoader.load(file);
      assertNotNull(rule.id(), where);
      assertEquals(rule.id(), UUID.fromString(rule.id()).toString(), where + ": id is a UUID");
      assertTrue(ids.add(rule.id()), where + ": duplicate id " + rule.id());
      assertFalse(rule.title().isBlank(), where);
      assertNotNull(rule.description(), where + ": description");
      assertNotNull(rule.level(), where + ": level");
      assertEquals("experimental", rule.status(), where);
      assertEquals("Vigil", rule.author(), where);
      assertFalse(rule.falsepositives().isEmpty(), where + ": falsepositives");
      assertTrue(
          rule.tags().stream().anyMatch(t -> t.matches("attack\\.t\\d{4}(\\.\\d{3})?")),
          where + ": an ATT&CK technique tag");
      assertTrue(
          rule.tags().stream().allMatch(t -> t.matches("attack\\.[a-z0-9.-]+")),
          where + ": tags " + rule.tags());
      String folder = RULES.relativize(file).getName(0).toString();
      assertTrue(
          CATEGORIES.get(folder).contains(rule.logsource().category()),
          where + ": category " + rule.logsource().category() + " in folder " + folder);
      assertEquals("linux", rule.logsource().product(), where);
      assertTrue(Files.isRegularFile(file));
    }
  }
}
