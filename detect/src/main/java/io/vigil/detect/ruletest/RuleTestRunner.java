package io.vigil.detect.ruletest;

import io.vigil.detect.engine.ActiveRule;
import io.vigil.detect.engine.CatalogEntry;
import io.vigil.detect.engine.DetectionEngine;
import io.vigil.detect.engine.Finding;
import io.vigil.detect.engine.RuleCatalog;
import io.vigil.detect.lint.RuleFiles;
import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.vigil.LogSourceMapping;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs the rule tests under a directory. Rules are loaded by {@link RuleCatalog}, exactly as the
 * collector loads a rule directory (a rule the collector would not evaluate cannot pass a test),
 * and each case goes through a {@link DetectionEngine} holding only its rule, so the log-source
 * mapping and the presentation of the event are tested along with the detection. A test file {@code
 * NAME.test.yml} belongs to the rule {@code NAME.yml} (or {@code NAME.yaml}) beside it. Stateless;
 * blocks on file I/O.
 */
public final class RuleTestRunner {
  private RuleTestRunner() {}

  /**
   * Every rule and test file under {@code dir}. Throws only when the directory cannot be walked;
   * bad files and cases are reported.
   */
  public static RuleTestReport run(Path dir) throws IOException {
    RuleCatalog catalog = RuleCatalog.load(List.of(dir));
    List<Path> rules = RuleFiles.list(dir);
    Set<Path> ruleSet = new HashSet<>(rules);
    Map<Path, List<Path>> testsByRule = new LinkedHashMap<>();
    Run run = new Run();
    for (Path test : RuleFiles.tests(dir)) {
      Optional<Path> rule = ruleOf(test, ruleSet);
      if (rule.isEmpty()) {
        run.problems.add(
            new TestError(test, "no rule beside it (" + ruleName(test, ".yml") + " or .yaml)"));
        continue;
      }
      testsByRule.computeIfAbsent(rule.get(), r -> new ArrayList<>()).add(test);
    }
    List<Path> untested = new ArrayList<>();
    for (Path rule : rules) {
      List<Path> tests = testsByRule.get(rule);
      if (tests == null) {
        // A file of correlations only has no event to test a rule on: its tests are its rules'.
        List<CatalogEntry> inFile = catalog.entries(rule);
        if (!inFile.isEmpty() && inFile.stream().allMatch(CatalogEntry::correlation)) {
          continue;
        }
        untested.add(rule);
        continue;
      }
      for (Path test : tests) {
        run.testFile(catalog, rule, RuleTestFile.read(test));
      }
    }
    return new RuleTestReport(rules.size(), untested, run.cases, run.passed, run.problems);
  }

  private static Optional<Path> ruleOf(Path test, Set<Path> rules) {
    for (String ext : List.of(".yml", ".yaml")) {
      Path rule = test.resolveSibling(ruleName(test, ext));
      if (rules.contains(rule)) {
        return Optional.of(rule);
      }
    }
    return Optional.empty();
  }

  /** {@code NAME.test.yml} → {@code NAME} + ext. */
  private static String ruleName(Path test, String ext) {
    String name = test.getFileName().toString();
    return name.substring(0, name.lastIndexOf(".test.")) + ext;
  }

  /** Counts and problems of one run, in the order found. */
  private static final class Run {
    final List<TestProblem> problems = new ArrayList<>();
    int cases;
    int passed;

    void testFile(RuleCatalog catalog, Path rule, RuleTestFile file) {
      cases += file.entries();
      file.problems().forEach(p -> problems.add(new TestError(file.file(), p)));
      Optional<ActiveRule> active = catalog.activeRule(rule);
      if (active.isEmpty()) {
        String why = catalog.entry(rule).map(RuleTestRunner::notLoaded).orElse("not a rule file");
        problems.add(new TestError(rule, why + "; " + file.cases().size() + " cases did not run"));
        return;
      }
      DetectionEngine engine = DetectionEngine.of(List.of(active.get()));
      for (RuleTestCase c : file.cases()) {
        runCase(engine, active.get(), rule, c);
      }
    }

    private void runCase(DetectionEngine engine, ActiveRule rule, Path file, RuleTestCase c) {
      long errorsBefore = engine.ruleErrors();
      List<Finding> findings = engine.evaluate(c.event());
      if (engine.ruleErrors() != errorsBefore) {
        problems.add(
            new TestError(
                file,
                c.label()
                    + ": evaluating the rule failed on this event ("
                    + failure(rule, c.event())
                    + "); the collector counts that and treats it as no match"));
        return;
      }
      boolean matched = !findings.isEmpty();
      if (matched == c.expectMatch()) {
        passed++;
      } else if (matched) {
        problems.add(new CaseFailure(file, c, findings.get(0).matchedFields(), ""));
      } else {
        problems.add(new CaseFailure(file, c, Map.of(), unseen(rule.mapping(), c.event())));
      }
    }
  }

  /**
   * The engine counts a failed evaluation without the exception; evaluating the views again
   * recovers it for the report.
   */
  private static String failure(ActiveRule rule, Event event) {
    for (SigmaFields view : rule.mapping().present(event)) {
      try {
        rule.compiled().matches(view);
      } catch (RuntimeException | StackOverflowError e) {
        return e.toString();
      }
    }
    return "the failure did not repeat";
  }

  private static String notLoaded(CatalogEntry e) {
    return "the collector would not load this rule: " + e.verdictText();
  }

  /** Why the rule never saw the event, when that is why it did not match; else "". */
  private static String unseen(LogSourceMapping mapping, Event event) {
    EventKind kind = LogSourceMapping.kindOf(event);
    if (kind == null || !mapping.kinds().contains(kind)) {
      return "the rule's log source serves "
          + mapping.kinds().stream().map(Enum::name).sorted().toList()
          + ", this event is "
          + (kind == null ? "of no kind" : kind.name());
    }
    if (mapping.present(event).isEmpty()) {
      return "the rule's log source does not present this event: " + mapping.reason();
    }
    return "";
  }
}
