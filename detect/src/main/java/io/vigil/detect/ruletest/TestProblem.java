package io.vigil.detect.ruletest;

import java.nio.file.Path;

/** Something a rule test run reports: a case that failed, or something that could not run. */
public sealed interface TestProblem permits CaseFailure, TestError {

  /** The file the problem is about (a rule for a failure, a rule or test file for an error). */
  Path file();

  /** The report line, unescaped; paths relative to {@code base}. */
  String line(Path base);
}
