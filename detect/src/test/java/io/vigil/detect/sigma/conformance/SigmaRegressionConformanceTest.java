package io.vigil.detect.sigma.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.testing.TestData;
import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.sigma.compile.RuleCompiler;
import io.vigil.detect.sigma.compile.SigmaItemCompiler;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Conformance with SigmaHQ's regression data: each case pairs a rule with recorded Windows events
 * (Sysmon and other providers, as JSON) that SigmaHQ's own pipeline matches. Conformance mode
 * ignores the rule's log source, flattens {@code EventData}/{@code UserData}/{@code System} (see
 * {@link FlatWindowsEvent}) and counts a case as passing when any event in its file matches. Each
 * miss is printed with its reason so it can be explained, not hidden.
 */
class SigmaRegressionConformanceTest {
  /** Issue 4's bar: at least this many of SigmaHQ's 202 cases match. */
  private static final int REQUIRED = 200;

  @Test
  void sigmaHqRegressionEventsMatchTheirRules() throws Exception {
    Path sigma = TestData.require("sigma");
    List<RegressionCase> cases = RegressionCase.findAll(sigma.resolve("regression_data"));
    List<Path> ruleRoots = new ArrayList<>();
    try (var dirs = Files.list(sigma)) {
      dirs.filter(d -> d.getFileName().toString().startsWith("rules") && Files.isDirectory(d))
          .sorted()
          .forEach(ruleRoots::add);
    }
    Map<String, Path> rules = RulesById.index(ruleRoots);
    SigmaItemCompiler items = new SigmaItemCompiler();

    List<String> misses = new ArrayList<>();
    List<String> countNotes = new ArrayList<>();
    Map<String, CompiledRule> compiled = new java.util.LinkedHashMap<>();
    Map<String, List<FlatWindowsEvent>> eventsByCase = new java.util.LinkedHashMap<>();
    int passed = 0;
    for (RegressionCase c : cases) {
      String name = sigma.relativize(c.folder()).toString();
      Path ruleFile = rules.get(c.ruleId());
      if (ruleFile == null) {
        misses.add(name + ": rule " + c.ruleId() + " not found under " + ruleRoots);
        continue;
      }
      CompiledRule rule;
      try {
        rule = RuleCompiler.compile(SigmaRuleLoader.load(ruleFile), items);
      } catch (SigmaRuleException e) {
        misses.add(name + ": rule does not compile: " + e.getMessage());
        continue;
      }
      List<FlatWindowsEvent> events;
      try {
        events = WindowsEventJson.parse(Files.readString(c.events()));
      } catch (RuntimeException e) {
        misses.add(name + ": events unreadable: " + e);
        continue;
      }
      compiled.put(name, rule);
      eventsByCase.put(name, events);
      int matched = 0;
      for (FlatWindowsEvent e : events) {
        if (rule.matches(e)) {
          matched++;
        }
      }
      if (matched > 0) {
        passed++;
        if (c.expectedMatches() >= 0 && matched != c.expectedMatches()) {
          countNotes.add(
              name
                  + ": "
                  + matched
                  + " of "
                  + events.size()
                  + " events match, SigmaHQ expects "
                  + c.expectedMatches());
        }
      } else {
        misses.add(
            name
                + ": none of "
                + events.size()
                + " events matches "
                + rule
                + "; first event: "
                + events.get(0));
      }
    }

    // The positive cases alone would also pass an engine that matches everything: every rule is
    // also run on every other case's events, where a match is an overlap between two detections
    // (one attack recording that two rules describe) and must stay rare.
    int crossPairs = 0;
    int crossMatches = 0;
    for (var r : compiled.entrySet()) {
      for (var other : eventsByCase.entrySet()) {
        if (!other.getKey().equals(r.getKey())) {
          crossPairs++;
          if (other.getValue().stream().anyMatch(r.getValue()::matches)) {
            crossMatches++;
          }
        }
      }
    }

    System.out.println("conformance: " + passed + " of " + cases.size() + " cases match");
    System.out.println(
        "cross-check: " + crossMatches + " of " + crossPairs + " (rule, other case) pairs match");
    misses.forEach(m -> System.out.println("  miss: " + m));
    countNotes.forEach(n -> System.out.println("  count: " + n));
    assertTrue(cases.size() >= REQUIRED, "only " + cases.size() + " cases found");
    assertTrue(
        passed >= REQUIRED,
        "conformance: "
            + passed
            + " of "
            + cases.size()
            + " cases match; misses:\n"
            + String.join("\n", misses));
    assertTrue(
        crossMatches * 100 < crossPairs,
        crossMatches + " of " + crossPairs + " rules match another case's events: over-matching");
  }
}
