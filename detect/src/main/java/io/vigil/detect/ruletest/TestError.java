package io.vigil.detect.ruletest;

import io.vigil.detect.lint.ReportText;
import java.nio.file.Path;

/**
 * Something that kept cases from running: a test file that cannot be read or has no rule beside it,
 * a case that cannot be read, a rule the collector would not load, a rule that failed while
 * evaluating. {@code message} names the case where there is one. Immutable.
 */
public record TestError(Path file, String message) implements TestProblem {
  @Override
  public String line(Path base) {
    return "ERROR " + ReportText.shown(file, base) + ": " + message;
  }
}
