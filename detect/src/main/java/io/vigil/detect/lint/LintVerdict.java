package io.vigil.detect.lint;

import java.nio.file.Path;
import java.util.Set;

/**
 * What lint says about one rule file: exactly one {@link Kind}, with the unfilled fields (for
 * {@link Kind#UNFILLED_FIELDS}) or the reason (for {@link Kind#SKIPPED}). {@code reasonGroup} is
 * the reason without rule-specific detail, for counting. {@code part} says which rule of a file
 * this is when it is not plain (a document of a multi-document file, a correlation), else it is
 * empty; {@code correlation} marks a correlation rule, whose verdict says whether it resolved.
 * Immutable.
 */
public record LintVerdict(
    Path file,
    Kind kind,
    Set<String> unfilledFields,
    boolean canStillFire,
    Set<String> negatedDeadSearches,
    String reason,
    String reasonGroup,
    String part,
    boolean correlation) {

  public enum Kind {
    /** Loads, its log source has Vigil telemetry, and every field it names is filled. */
    RUNS("runs"),
    /** Loads and has telemetry, but names fields Vigil never fills for its log source. */
    UNFILLED_FIELDS("unfilled fields"),
    /** Does not load or compile, or Vigil has no telemetry for its log source. */
    SKIPPED("skipped");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  public LintVerdict {
    unfilledFields = Set.copyOf(unfilledFields);
    negatedDeadSearches = Set.copyOf(negatedDeadSearches);
  }

  static LintVerdict runs(Path file, String part) {
    return new LintVerdict(file, Kind.RUNS, Set.of(), true, Set.of(), "", "", part, false);
  }

  static LintVerdict unfilled(
      Path file, String part, Set<String> fields, boolean canStillFire, Set<String> negatedDead) {
    return new LintVerdict(
        file, Kind.UNFILLED_FIELDS, fields, canStillFire, negatedDead, "", "", part, false);
  }

  static LintVerdict skipped(Path file, String part, String reason, String group) {
    return new LintVerdict(
        file, Kind.SKIPPED, Set.of(), false, Set.of(), reason, group, part, false);
  }

  /**
   * A correlation rule's verdict: {@link Kind#RUNS} when it resolved ({@code reasonGroup} empty),
   * else {@link Kind#SKIPPED} with the reason; reasons group as {@code correlation: GROUP}.
   */
  public static LintVerdict correlation(Path file, String part, String reasonGroup, String reason) {
    if (reasonGroup.isEmpty()) {
      return new LintVerdict(file, Kind.RUNS, Set.of(), true, Set.of(), "", "", part, true);
    }
    return new LintVerdict(
        file,
        Kind.SKIPPED,
        Set.of(),
        false,
        Set.of(),
        reasonGroup + ": " + reason,
        "correlation: " + reasonGroup,
        part,
        true);
  }

  /** {@code file} or {@code file PART}, as reports name the rule. */
  public String where(String shownFile) {
    return part.isEmpty() ? shownFile : shownFile + " " + part;
  }

  /**
   * Whether Vigil would run a wider rule than the one written: the condition negates a search that
   * can never match here (a requirement such as {@code not z_flag_unset}, or a false-positive
   * filter on a field Vigil does not fill), so that {@code not} passes everything. Lint cannot tell
   * a requirement from a filter; the collector does not load such rules.
   */
  public boolean widened() {
    return kind == Kind.UNFILLED_FIELDS && canStillFire && !negatedDeadSearches.isEmpty();
  }

  /** The detail after the class on a lint line. */
  public String detail() {
    return switch (kind) {
      case RUNS -> "";
      case UNFILLED_FIELDS ->
          "Vigil never fills "
              + String.join(", ", new java.util.TreeSet<>(unfilledFields))
              + (!canStillFire
                  ? " (every branch needs them: the rule cannot fire on Vigil)"
                  : widened()
                      ? " (the condition negates "
                          + String.join(", ", new java.util.TreeSet<>(negatedDeadSearches))
                          + ", which can never match on Vigil, so each such `not` is always true"
                          + " and the rule would fire more widely than written)"
                      : " (the rule can still fire through branches that do not need them)");
      case SKIPPED -> reason;
    };
  }
}
