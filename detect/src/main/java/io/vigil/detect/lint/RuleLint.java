package io.vigil.detect.lint;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.sigma.compile.RuleCompiler;
import io.vigil.detect.sigma.compile.SigmaItemCompiler;
import io.vigil.detect.sigma.condition.SearchPolarity;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import io.vigil.detect.vigil.LogSourceMapping;
import io.vigil.detect.vigil.LogSources;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * Classifies Sigma rules as they would run on Vigil: each rule is loaded and compiled exactly as
 * the engine does, its log source mapped with {@link LogSources}, and the fields its detection
 * names checked against the fields Vigil fills for that log source. Stateless and thread-safe;
 * blocks on file I/O.
 */
public final class RuleLint {
  private RuleLint() {}

  /** Every rule file under {@code dir} (see {@link RuleFiles}), in path order. */
  public static LintReport lint(Path dir) throws IOException {
    return new LintReport(RuleFiles.list(dir).stream().map(RuleLint::lintFile).toList());
  }

  /** One rule file's verdict; a file that cannot be read is skipped with the I/O error. */
  public static LintVerdict lintFile(Path file) {
    return examine(file).verdict();
  }

  /**
   * One rule file's verdict together with what the engine needs to run it: the compiled rule and
   * its mapping (both null when the verdict is {@link LintVerdict.Kind#SKIPPED}).
   */
  public static Examination examine(Path file) {
    CompiledRule rule;
    try {
      rule = RuleCompiler.compile(SigmaRuleLoader.load(file), new SigmaItemCompiler());
    } catch (SigmaRuleException e) {
      String group = e.where().equals("correlation") ? e.getMessage() : "does not load or compile";
      return skipped(
          LintVerdict.skipped(file, "does not load or compile: " + e.getMessage(), group));
    } catch (IOException | RuntimeException e) {
      // A rule file must never stop the lint of the others; say what failed and go on.
      return skipped(LintVerdict.skipped(file, "cannot read: " + e, "cannot read"));
    }
    LogSourceMapping mapping = LogSources.map(rule.rule().logsource());
    if (!mapping.applicable()) {
      return skipped(LintVerdict.skipped(file, mapping.reason(), mapping.reason()));
    }
    Set<String> unfilled = new TreeSet<>();
    for (String field : RuleFieldUse.fields(rule.rule())) {
      if (!mapping.fills(field)) {
        unfilled.add(field);
      }
    }
    if (unfilled.isEmpty()) {
      return new Examination(LintVerdict.runs(file), rule, mapping);
    }
    Set<String> dead = RuleFieldUse.deadSearches(rule.rule(), mapping::fills);
    boolean canFire = ConditionReach.canFire(rule.condition(), dead);
    Set<String> negatedDead = new TreeSet<>(SearchPolarity.negated(rule.condition()));
    negatedDead.retainAll(RuleFieldUse.partlyDeadSearches(rule.rule(), mapping::fills));
    return new Examination(
        LintVerdict.unfilled(file, unfilled, canFire, negatedDead), rule, mapping);
  }

  private static Examination skipped(LintVerdict verdict) {
    return new Examination(verdict, null, null);
  }

  /**
   * A verdict with the compiled rule and its log-source mapping; {@code rule} and {@code mapping}
   * are null for a skipped rule.
   */
  public record Examination(LintVerdict verdict, CompiledRule rule, LogSourceMapping mapping) {}
}
