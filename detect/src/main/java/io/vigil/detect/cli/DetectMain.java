package io.vigil.detect.cli;

import io.vigil.common.text.TerminalText;
import io.vigil.detect.lint.LintReport;
import io.vigil.detect.lint.RuleLint;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code vigil-detect lint DIR}: classifies every Sigma rule under DIR (see {@link RuleLint}) and
 * prints the report. Exit codes: 0 when the directory was read (skipped rules included), 1 when it
 * could not be walked, 2 on a usage error.
 */
public final class DetectMain {
  static final String USAGE =
      "usage: vigil rules lint DIR   classify every Sigma rule (.yml) under DIR as runs,"
          + " unfilled fields, or skipped (reason)";

  private DetectMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length != 2 || !args[0].equals("lint")) {
      err.println(USAGE);
      return 2;
    }
    Path dir = Path.of(args[1]).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      err.println(TerminalText.escape("vigil rules lint: not a directory: " + args[1], 2000));
      err.println(USAGE);
      return 2;
    }
    LintReport report;
    try {
      report = RuleLint.lint(dir);
    } catch (IOException | java.io.UncheckedIOException e) {
      err.println(TerminalText.escape("vigil rules lint: cannot read " + dir + ": " + e, 2000));
      return 1;
    }
    report.print(out, dir);
    return 0;
  }
}
