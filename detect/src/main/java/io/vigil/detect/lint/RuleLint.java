package io.vigil.detect.lint;

import io.vigil.detect.engine.CatalogEntry;
import io.vigil.detect.engine.RuleCatalog;
import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.sigma.compile.RuleCompiler;
import io.vigil.detect.sigma.compile.SigmaItemCompiler;
import io.vigil.detect.sigma.condition.SearchPolarity;
import io.vigil.detect.sigma.rule.SigmaCorrelation;
import io.vigil.detect.sigma.rule.SigmaDocument;
import io.vigil.detect.sigma.rule.SigmaRule;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import io.vigil.detect.vigil.LogSourceMapping;
import io.vigil.detect.vigil.LogSources;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Classifies Sigma rules as they would run on Vigil: each rule is loaded and compiled exactly as
 * the engine does, its log source mapped with {@link LogSources}, and the fields its detection
 * names checked against the fields Vigil fills for that log source. A file may hold several rules
 * ({@code ---}), detection and correlation rules; a correlation's verdict says whether its
 * references resolve, which takes the whole directory, so {@link #lint} loads it as a {@link
 * RuleCatalog} does. Stateless and thread-safe; blocks on file I/O.
 */
public final class RuleLint {
  private RuleLint() {}

  /**
   * Every rule under {@code dir} (see {@link RuleFiles}), in path order, one verdict per rule:
   * exactly what the collector's catalog says of them.
   */
  public static LintReport lint(Path dir) throws IOException {
    return new LintReport(
        RuleCatalog.load(List.of(dir)).entries().stream().map(CatalogEntry::verdict).toList());
  }

  /** One rule file's verdict (its first rule's); a file that cannot be read is skipped. */
  public static LintVerdict lintFile(Path file) {
    return examine(file).verdict();
  }

  /** The examination of the first rule of {@code file} (see {@link #examineAll}). */
  public static Examination examine(Path file) {
    return examineAll(file).get(0);
  }

  /**
   * One examination per rule in {@code file}, in file order (at least one: a file that does not
   * load as a whole is one skipped verdict). A correlation's verdict here is provisional ({@link
   * LintVerdict.Kind#RUNS}): whether it resolves is decided over all loaded rules.
   */
  public static List<Examination> examineAll(Path file) {
    List<SigmaDocument> docs;
    try {
      docs = SigmaRuleLoader.loadAll(file);
    } catch (SigmaRuleException e) {
      return List.of(
          skipped(
              LintVerdict.skipped(
                  file,
                  "",
                  "does not load or compile: " + e.getMessage(),
                  "does not load or compile")));
    } catch (IOException | RuntimeException e) {
      // A rule file must never stop the lint of the others; say what failed and go on.
      return List.of(skipped(LintVerdict.skipped(file, "", "cannot read: " + e, "cannot read")));
    }
    boolean several = docs.size() > 1;
    List<Examination> out = new ArrayList<>();
    for (SigmaDocument d : docs) {
      String doc = several ? d.label() : "";
      if (d.error() != null) {
        SigmaRuleException e = d.error();
        String group = e.where().equals("filter") ? e.getMessage() : "does not load or compile";
        out.add(
            skipped(
                LintVerdict.skipped(
                    file, doc, "does not load or compile: " + e.getMessage(), group)));
      } else if (d.correlation() != null) {
        SigmaCorrelation c = d.correlation();
        String part = (several ? doc + " " : "") + "(" + c.type() + " correlation)";
        out.add(new Examination(LintVerdict.correlation(file, part, "", ""), null, null, c, null));
      } else {
        SigmaRule r = d.rule();
        String part =
            several ? doc + " (rule " + (r.name() != null ? r.name() : r.title()) + ")" : "";
        Examination x = examineRule(file, part, r);
        out.add(new Examination(x.verdict(), x.rule(), x.mapping(), null, r));
      }
    }
    return out;
  }

  private static Examination examineRule(Path file, String part, SigmaRule loaded) {
    CompiledRule rule;
    try {
      rule = RuleCompiler.compile(loaded, new SigmaItemCompiler());
    } catch (SigmaRuleException e) {
      return skipped(
          LintVerdict.skipped(
              file,
              part,
              "does not load or compile: " + e.getMessage(),
              "does not load or compile"));
    } catch (RuntimeException e) {
      return skipped(LintVerdict.skipped(file, part, "cannot compile: " + e, "cannot read"));
    }
    LogSourceMapping mapping = LogSources.map(rule.rule().logsource());
    if (!mapping.applicable()) {
      return skipped(LintVerdict.skipped(file, part, mapping.reason(), mapping.reason()));
    }
    Set<String> unfilled = new TreeSet<>();
    for (String field : RuleFieldUse.fields(rule.rule())) {
      if (!mapping.fills(field)) {
        unfilled.add(field);
      }
    }
    if (unfilled.isEmpty()) {
      return new Examination(LintVerdict.runs(file, part), rule, mapping, null, null);
    }
    Set<String> dead = RuleFieldUse.deadSearches(rule.rule(), mapping::fills);
    boolean canFire = ConditionReach.canFire(rule.condition(), dead);
    Set<String> negatedDead = new TreeSet<>(SearchPolarity.negated(rule.condition()));
    negatedDead.retainAll(RuleFieldUse.partlyDeadSearches(rule.rule(), mapping::fills));
    return new Examination(
        LintVerdict.unfilled(file, part, unfilled, canFire, negatedDead),
        rule,
        mapping,
        null,
        null);
  }

  private static Examination skipped(LintVerdict verdict) {
    return new Examination(verdict, null, null, null, null);
  }

  /**
   * A verdict with what the engine needs to run the rule: the compiled rule and its log-source
   * mapping (null unless a detection rule that was not skipped), or the loaded correlation (null
   * unless a correlation); {@code loaded} is the detection rule as loaded, also when it was skipped
   * after loading (so a correlation referring to it can say why it is not active).
   */
  public record Examination(
      LintVerdict verdict,
      CompiledRule rule,
      LogSourceMapping mapping,
      SigmaCorrelation correlation,
      SigmaRule loaded) {}
}
