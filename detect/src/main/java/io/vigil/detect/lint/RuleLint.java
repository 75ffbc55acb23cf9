package io.vigil.detect.lint;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.sigma.compile.RuleCompiler;
import io.vigil.detect.sigma.compile.SigmaItemCompiler;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import io.vigil.detect.vigil.LogSourceMapping;
import io.vigil.detect.vigil.LogSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Classifies Sigma rules as they would run on Vigil: each rule is loaded and compiled exactly as
 * the engine does, its log source mapped with {@link LogSources}, and the fields its detection
 * names checked against the fields Vigil fills for that log source. Stateless and thread-safe;
 * blocks on file I/O.
 */
public final class RuleLint {
  private RuleLint() {}

  /** Every {@code .yml}/{@code .yaml} file under {@code dir}, recursively, in path order. */
  public static LintReport lint(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files =
          walk.filter(Files::isRegularFile)
              .filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
              .sorted()
              .toList();
    }
    return new LintReport(files.stream().map(RuleLint::lintFile).toList());
  }

  /** One rule file's verdict; a file that cannot be read is skipped with the I/O error. */
  public static LintVerdict lintFile(Path file) {
    CompiledRule rule;
    try {
      rule = RuleCompiler.compile(SigmaRuleLoader.load(file), new SigmaItemCompiler());
    } catch (SigmaRuleException e) {
      String group = e.where().equals("correlation") ? e.getMessage() : "does not load or compile";
      return LintVerdict.skipped(file, "does not load or compile: " + e.getMessage(), group);
    } catch (IOException | RuntimeException e) {
      // A rule file must never stop the lint of the others; say what failed and go on.
      return LintVerdict.skipped(file, "cannot read: " + e, "cannot read");
    }
    LogSourceMapping mapping = LogSources.map(rule.rule().logsource());
    if (!mapping.applicable()) {
      return LintVerdict.skipped(file, mapping.reason(), mapping.reason());
    }
    Set<String> unfilled = new TreeSet<>();
    for (String field : RuleFieldUse.fields(rule.rule())) {
      if (!mapping.fills(field)) {
        unfilled.add(field);
      }
    }
    if (unfilled.isEmpty()) {
      return LintVerdict.runs(file);
    }
    Set<String> dead = RuleFieldUse.deadSearches(rule.rule(), mapping::fills);
    return LintVerdict.unfilled(file, unfilled, ConditionReach.canFire(rule.condition(), dead));
  }
}
