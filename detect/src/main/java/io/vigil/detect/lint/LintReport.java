package io.vigil.detect.lint;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The verdicts of one lint run (one per rule: a multi-document file has several), in path order,
 * with counts per class and per skip reason, and the text report: one line per rule that does not
 * plainly run, then the counts. Everything printed that came from a rule file (paths, messages
 * quoting it) is escaped. Immutable.
 */
public record LintReport(List<LintVerdict> verdicts) {

  public LintReport {
    verdicts = List.copyOf(verdicts);
  }

  /** Rules per class; every class present, zero or not. */
  public Map<LintVerdict.Kind, Integer> countsByKind() {
    Map<LintVerdict.Kind, Integer> out = new EnumMap<>(LintVerdict.Kind.class);
    for (LintVerdict.Kind k : LintVerdict.Kind.values()) {
      out.put(k, 0);
    }
    verdicts.forEach(v -> out.merge(v.kind(), 1, Integer::sum));
    return out;
  }

  /** Skipped rules per reason group, sorted by reason. */
  public Map<String, Integer> skippedByReason() {
    Map<String, Integer> out = new TreeMap<>();
    verdicts.stream()
        .filter(v -> v.kind() == LintVerdict.Kind.SKIPPED)
        .forEach(v -> out.merge(v.reasonGroup(), 1, Integer::sum));
    return out;
  }

  /** Prints the report; paths relative to {@code base} when they are under it. */
  public void print(PrintStream out, Path base) {
    for (LintVerdict v : verdicts) {
      String shown = v.where(ReportText.shown(v.file(), base));
      if (v.kind() != LintVerdict.Kind.RUNS) {
        out.println(ReportText.line(shown + ": " + v.kind().label() + ": " + v.detail()));
      } else if (v.correlation()) {
        // A correlation that runs is still worth a line: it says its references resolved.
        out.println(ReportText.line(shown + ": runs: references resolved"));
      }
    }
    out.println();
    out.println(verdicts.size() + " rules");
    long correlations = verdicts.stream().filter(LintVerdict::correlation).count();
    if (correlations > 0) {
      long running =
          verdicts.stream()
              .filter(v -> v.correlation() && v.kind() == LintVerdict.Kind.RUNS)
              .count();
      out.println("  of which correlations: " + correlations + " (" + running + " run)");
    }
    countsByKind().forEach((k, n) -> out.println("  " + k.label() + ": " + n));
    Map<String, Integer> reasons = skippedByReason();
    if (!reasons.isEmpty()) {
      out.println("skipped by reason:");
      reasons.forEach((r, n) -> out.println("  " + n + "  " + ReportText.line(r)));
    }
  }
}
