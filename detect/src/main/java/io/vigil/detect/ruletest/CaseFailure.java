package io.vigil.detect.ruletest;

import io.vigil.detect.lint.ReportText;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A case whose outcome differed from its expectation. For an unexpected match, {@code
 * matchedFields} are the fields that made the rule match (as in a finding); for a missed match,
 * {@code note} says why the rule could not see the event when that is the reason (the event is of a
 * kind its log source does not serve), else it is empty. Immutable.
 */
public record CaseFailure(
    Path file, RuleTestCase testCase, Map<String, List<String>> matchedFields, String note)
    implements TestProblem {
  public CaseFailure {
    matchedFields = Collections.unmodifiableMap(new LinkedHashMap<>(matchedFields));
  }

  /** What the rule did: the opposite of what the case expected. */
  public boolean matched() {
    return !testCase.expectMatch();
  }

  @Override
  public String line(Path base) {
    StringBuilder b =
        new StringBuilder("FAIL ")
            .append(ReportText.shown(file, base))
            .append(": ")
            .append(testCase.label())
            .append(": expected ")
            .append(RuleTestCase.expectation(testCase.expectMatch()))
            .append(", got ")
            .append(RuleTestCase.expectation(matched()));
    if (matched() && !matchedFields.isEmpty()) {
      b.append(" on ").append(fields());
    }
    if (!note.isEmpty()) {
      b.append(" (").append(note).append(')');
    }
    return b.toString();
  }

  /** {@code Image=[/usr/bin/curl], CommandLine=[curl x | sh]}, in rule order. */
  private String fields() {
    return matchedFields.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
