package io.vigil.detect.filter;

import io.vigil.detect.filter.FilterVerdict.Kind;
import io.vigil.detect.lint.ConditionReach;
import io.vigil.detect.lint.RuleFieldUse;
import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.condition.SearchPolarity;
import io.vigil.detect.sigma.rule.SigmaRule;
import io.vigil.detect.vigil.LogSourceMapping;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads one filter file and decides its verdict, the way rule lint decides a rule's: the log source
 * must have Vigil telemetry and the fields the filter names must be ones Vigil fills for it, since
 * a search on a field never filled never matches, and a filter that never matches silences nothing
 * (or, under {@code not}, silences more than written). Stateless and thread-safe; blocks on file
 * I/O.
 */
final class FilterCheck {
  private FilterCheck() {}

  /** The verdict and, when it is loaded, the filter. */
  record Checked(FilterVerdict verdict, SigmaFilter filter) {}

  static Checked check(Path file) {
    SigmaFilter f;
    try {
      f = FilterReader.read(file);
    } catch (SigmaRuleException e) {
      return new Checked(verdict(file, Kind.ERROR, false, "", Set.of(), e.getMessage()), null);
    } catch (IOException | RuntimeException e) {
      // One filter file must never stop the others from loading; say what failed and go on.
      return new Checked(verdict(file, Kind.ERROR, false, "", Set.of(), "cannot read: " + e), null);
    }
    LogSourceMapping mapping = f.mapping();
    if (!mapping.applicable()) {
      return notLoaded(f, Kind.NOT_APPLICABLE, Set.of(), "logsource: " + mapping.reason());
    }
    if (f.taxonomy() != null && !f.taxonomy().equalsIgnoreCase("sigma")) {
      return notLoaded(
          f,
          Kind.NOT_APPLICABLE,
          Set.of(),
          "taxonomy "
              + f.taxonomy()
              + ": Vigil presents events under the Sigma taxonomy's field names only");
    }
    SigmaRule rule = f.compiled().rule();
    Set<String> unfilled = new TreeSet<>();
    for (String field : RuleFieldUse.fields(rule)) {
      if (!mapping.fills(field)) {
        unfilled.add(field);
      }
    }
    String applies = "applies to " + f.rules().size() + " rule(s) on " + mapping.reason();
    if (unfilled.isEmpty()) {
      return new Checked(verdict(file, Kind.LOADED, true, f.label(), Set.of(), applies), f);
    }
    String never = "Vigil never fills " + String.join(", ", unfilled) + " for this log source";
    Set<String> dead = RuleFieldUse.deadSearches(rule, mapping::fills);
    if (!ConditionReach.canFire(f.compiled().condition(), dead)) {
      return notLoaded(
          f,
          Kind.UNFILLED_FIELDS,
          unfilled,
          never + ": every branch of the condition needs them, so it can never silence anything");
    }
    Set<String> negatedDead = new TreeSet<>(SearchPolarity.negated(f.compiled().condition()));
    negatedDead.retainAll(RuleFieldUse.partlyDeadSearches(rule, mapping::fills));
    if (!negatedDead.isEmpty()) {
      return notLoaded(
          f,
          Kind.UNFILLED_FIELDS,
          unfilled,
          never
              + ": the condition negates "
              + String.join(", ", negatedDead)
              + ", which can never match on Vigil, so it would silence more than written");
    }
    return new Checked(
        verdict(
            file,
            Kind.UNFILLED_FIELDS,
            true,
            f.label(),
            unfilled,
            never + ": the branches that need them never silence anything; " + applies),
        f);
  }

  private static Checked notLoaded(SigmaFilter f, Kind kind, Set<String> unfilled, String detail) {
    return new Checked(verdict(f.file(), kind, false, f.label(), unfilled, detail), null);
  }

  private static FilterVerdict verdict(
      Path file, Kind kind, boolean loaded, String label, Set<String> unfilled, String detail) {
    return new FilterVerdict(file, kind, loaded, label, unfilled, detail);
  }
}
