package io.vigil.detect.agreement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.vigil.common.testing.TestData;
import io.vigil.detect.agreement.RuleCases.Case;
import io.vigil.detect.engine.ActiveRule;
import io.vigil.detect.engine.DetectionEngine;
import io.vigil.detect.engine.Finding;
import io.vigil.detect.engine.RuleCatalog;
import io.vigil.detect.lint.LintVerdict;
import io.vigil.detect.lint.RuleLint;
import io.vigil.proto.v1.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Twenty SigmaHQ Linux process_creation rules, unmodified, against events written by hand from each
 * rule's text: every case runs through the collector's path (the whole {@code sigma/rules/linux}
 * directory loaded by {@link RuleCatalog}, one {@link DetectionEngine}) and asserts that the rule's
 * finding is there, naming exactly the expected fields, or is not there.
 */
class SigmaHqProcessCreationAgreementTest {
  private static final List<RuleCases> TABLE =
      Stream.concat(EvasionAndImpactRules.RULES.stream(), ExecutionAndDiscoveryRules.RULES.stream())
          .toList();

  @Test
  void theTablePinsTwentyDistinctRulesEachWithAMatchAndANearMiss() {
    Set<String> files = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (RuleCases r : TABLE) {
      assertTrue(files.add(r.file()), "listed twice: " + r.file());
      assertTrue(ids.add(r.id()), "id listed twice: " + r.id());
      assertTrue(r.cases().stream().anyMatch(Case::mustMatch), r.file() + " has no match case");
      assertTrue(r.cases().stream().anyMatch(c -> !c.mustMatch()), r.file() + " has no near miss");
    }
    assertEquals(20, files.size());
  }

  @TestFactory
  Stream<DynamicNode> eachRuleAgreesWithItsText() throws Exception {
    Path linux = TestData.require("sigma/rules/linux");
    RuleCatalog catalog = RuleCatalog.load(List.of(linux));
    DetectionEngine engine = catalog.engine();
    List<DynamicNode> rules = new ArrayList<>();
    for (RuleCases r : TABLE) {
      Path file = linux.resolve("process_creation").resolve(r.file());
      List<DynamicNode> tests = new ArrayList<>();
      tests.add(dynamicTest("runs and is active under its id", () -> pinned(catalog, file, r)));
      for (Case c : r.cases()) {
        String name = (c.mustMatch() ? "matches: " : "does not match: ") + c.exercises();
        tests.add(dynamicTest(name, () -> agrees(engine, r, c)));
      }
      rules.add(dynamicContainer(r.file() + " (" + r.id() + ")", tests));
    }
    rules.add(
        dynamicTest(
            "no rule evaluation threw", () -> assertEquals(0, engine.ruleErrors(), "rule errors")));
    return rules.stream();
  }

  /** The file is the rule the table names: lint says it runs, and the catalog loaded its id. */
  private static void pinned(RuleCatalog catalog, Path file, RuleCases r) {
    RuleLint.Examination x = RuleLint.examine(file);
    assertEquals(LintVerdict.Kind.RUNS, x.verdict().kind(), x.verdict().detail());
    assertEquals(r.id(), x.rule().rule().id(), "id of " + r.file());
    ActiveRule active =
        catalog.active().stream().filter(a -> a.id().equals(r.id())).findFirst().orElse(null);
    assertNotNull(active, r.id() + " is not active in the catalog");
    assertTrue(
        active.compiled().rule().origin().endsWith(r.file()), active.compiled().rule().origin());
  }

  private static void agrees(DetectionEngine engine, RuleCases r, Case c) {
    Event event = c.event().event();
    Finding finding =
        engine.evaluate(event).stream()
            .filter(f -> f.ruleId().equals(r.id()))
            .findFirst()
            .orElse(null);
    if (!c.mustMatch()) {
      assertNull(
          finding, () -> r.file() + " matched " + c.event() + " naming " + finding.matchedFields());
      return;
    }
    assertNotNull(finding, r.file() + " did not match " + c.event());
    assertEquals(
        c.matchedFields(), finding.matchedFields().keySet(), "matched fields of " + c.event());
    finding.matchedFields().forEach((field, values) -> assertFalse(values.isEmpty(), field));
  }
}
