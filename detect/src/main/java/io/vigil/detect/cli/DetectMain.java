package io.vigil.detect.cli;

import io.vigil.common.config.PathArgument;
import io.vigil.detect.lint.LintReport;
import io.vigil.detect.lint.ReportText;
import io.vigil.detect.lint.RuleLint;
import io.vigil.detect.ruletest.RuleTestReport;
import io.vigil.detect.ruletest.RuleTestRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code vigil-detect lint DIR}: classifies every Sigma rule under DIR (see {@link RuleLint}) and
 * prints the report; exit code 0 when the directory was read (skipped rules included).
 *
 * <p>{@code vigil-detect test DIR}: runs the test cases beside the rules under DIR (see {@link
 * RuleTestRunner}); exit code 0 when every case passed and nothing failed to run (rules without
 * tests are listed but allowed), 1 otherwise.
 *
 * <p>Both: exit code 1 when the directory could not be walked, 2 on a usage error.
 */
public final class DetectMain {
  static final String USAGE =
      "usage: vigil rules lint DIR   classify every Sigma rule (.yml) under DIR as runs,"
          + " unfilled fields, or skipped (reason)\n"
          + "       vigil rules test DIR   run the test cases (NAME.test.yml) beside the Sigma"
          + " rules under DIR";

  private DetectMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length != 2 || !(args[0].equals("lint") || args[0].equals("test"))) {
      err.println(USAGE);
      return 2;
    }
    String command = "vigil rules " + args[0];
    Path dir;
    try {
      dir = PathArgument.parse("DIR", args[1]);
    } catch (IllegalArgumentException e) {
      err.println(ReportText.line(command + ": " + e.getMessage()));
      err.println(USAGE);
      return 2;
    }
    if (!Files.isDirectory(dir)) {
      err.println(ReportText.line(command + ": not a directory: " + args[1]));
      err.println(USAGE);
      return 2;
    }
    try {
      return args[0].equals("lint") ? lint(dir, out) : test(dir, out);
    } catch (IOException | UncheckedIOException e) {
      err.println(ReportText.line(command + ": cannot read " + dir + ": " + e));
      return 1;
    }
  }

  private static int lint(Path dir, PrintStream out) throws IOException {
    LintReport report = RuleLint.lint(dir);
    report.print(out, dir);
    return 0;
  }

  private static int test(Path dir, PrintStream out) throws IOException {
    RuleTestReport report = RuleTestRunner.run(dir);
    report.print(out, dir);
    return report.allPassed() ? 0 : 1;
  }
}
