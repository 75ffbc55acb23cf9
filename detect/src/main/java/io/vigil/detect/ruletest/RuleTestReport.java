package io.vigil.detect.ruletest;

import io.vigil.detect.lint.ReportText;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of one rule test run: every failure and error in the order found (rule files in path
 * order), the rules without tests, and the counts. {@code cases} counts every case the test files
 * list, including those that could not run. Everything printed that came from a file (paths, case
 * names, event values, parser messages quoting them) is escaped. Immutable.
 */
public record RuleTestReport(
    int rules, List<Path> untested, int cases, int passed, List<TestProblem> problems) {

  public RuleTestReport {
    untested = List.copyOf(untested);
    problems = List.copyOf(problems);
  }

  public List<CaseFailure> failures() {
    return problems.stream()
        .filter(CaseFailure.class::isInstance)
        .map(CaseFailure.class::cast)
        .toList();
  }

  public List<TestError> errors() {
    return problems.stream()
        .filter(TestError.class::isInstance)
        .map(TestError.class::cast)
        .toList();
  }

  /** Cases that were listed but did not run (unreadable, or their rule is not loaded). */
  public int notRun() {
    return cases - passed - failures().size();
  }

  /** True when every case ran and passed and nothing else went wrong (untested rules allowed). */
  public boolean allPassed() {
    return problems.isEmpty();
  }

  /** Prints the report; paths relative to {@code base} when they are under it. */
  public void print(PrintStream out, Path base) {
    for (TestProblem p : problems) {
      out.println(ReportText.line(p.line(base)));
    }
    for (Path rule : untested) {
      out.println(ReportText.line("untested " + ReportText.shown(rule, base)));
    }
    out.println();
    out.println(
        rules
            + " rules: "
            + (rules - untested.size())
            + " tested, "
            + untested.size()
            + " untested");
    out.println(
        cases
            + " cases: "
            + passed
            + " passed, "
            + failures().size()
            + " failed, "
            + notRun()
            + " not run");
    out.println(errors().size() + " errors");
  }
}
