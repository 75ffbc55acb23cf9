package io.vigil.detect.engine;

import io.vigil.detect.lint.LintReport;
import io.vigil.detect.lint.LintVerdict;
import io.vigil.detect.lint.RuleFiles;
import io.vigil.detect.lint.RuleLint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules loaded from a list of directories, with a verdict for every file so nothing is dropped
 * silently. A rule is active (evaluated) when it runs, or when it names fields Vigil never fills
 * but can still fire through other branches without running wider than written (see {@link
 * LintVerdict#widened}); a rule that cannot fire or would run wider, a skipped rule, and a rule
 * whose {@code id} an earlier file already used are inactive, each with its reason. Immutable.
 */
public final class RuleCatalog {
  private final List<CatalogEntry> entries;
  private final List<ActiveRule> active;
  private final Map<Path, CatalogEntry> entryByFile;
  private final Map<Path, ActiveRule> activeByFile;

  private RuleCatalog(
      List<CatalogEntry> entries, List<ActiveRule> active, Map<Path, ActiveRule> activeByFile) {
    this.entries = List.copyOf(entries);
    this.active = List.copyOf(active);
    this.activeByFile = Map.copyOf(activeByFile);
    // A file listed twice (a directory given twice) keeps its first entry, as activeByFile does.
    Map<Path, CatalogEntry> byFile = new HashMap<>();
    entries.forEach(e -> byFile.putIfAbsent(e.file(), e));
    this.entryByFile = Map.copyOf(byFile);
  }

  /**
   * Loads every rule file under each directory in order (see {@link RuleFiles}). A directory that
   * cannot be walked is an error: a collector asked to run rules it cannot read must not start as
   * if it had none.
   */
  public static RuleCatalog load(List<Path> dirs) throws IOException {
    List<CatalogEntry> entries = new ArrayList<>();
    List<ActiveRule> active = new ArrayList<>();
    Map<Path, ActiveRule> activeByFile = new HashMap<>();
    Map<String, Path> firstById = new HashMap<>();
    for (Path dir : dirs) {
      for (Path file : RuleFiles.list(dir)) {
        RuleLint.Examination x = RuleLint.examine(file);
        LintVerdict v = x.verdict();
        if (x.rule() == null) {
          entries.add(new CatalogEntry(file, v, false, ""));
          continue;
        }
        if (v.kind() == LintVerdict.Kind.UNFILLED_FIELDS && (!v.canStillFire() || v.widened())) {
          entries.add(new CatalogEntry(file, v, false, "not loaded"));
          continue;
        }
        String id = ActiveRule.idOf(x.rule());
        Path first = firstById.putIfAbsent(id, file);
        if (first != null) {
          entries.add(
              new CatalogEntry(
                  file, v, false, "not loaded: rule id " + id + " already loaded from " + first));
          continue;
        }
        ActiveRule rule = new ActiveRule(x.rule(), x.mapping(), id);
        active.add(rule);
        activeByFile.putIfAbsent(file, rule);
        entries.add(new CatalogEntry(file, v, true, ""));
      }
    }
    return new RuleCatalog(entries, active, activeByFile);
  }

  /** Every rule file seen, in load order. */
  public List<CatalogEntry> entries() {
    return entries;
  }

  /** The rules the engine evaluates. */
  public List<ActiveRule> active() {
    return active;
  }

  /**
   * What happened to the rule file {@code file} (as {@link RuleFiles#list} names it, under one of
   * the loaded directories); empty when the catalog did not see it.
   */
  public Optional<CatalogEntry> entry(Path file) {
    return Optional.ofNullable(entryByFile.get(file));
  }

  /**
   * The active rule loaded from {@code file}; empty when the file is not active (see {@link #entry}
   * for why) or was not seen.
   */
  public Optional<ActiveRule> activeRule(Path file) {
    return Optional.ofNullable(activeByFile.get(file));
  }

  /** An engine over the active rules. */
  public DetectionEngine engine() {
    return DetectionEngine.of(active);
  }

  /** Rule files per lint class, every class present. */
  public Map<LintVerdict.Kind, Integer> countsByKind() {
    return new LintReport(entries.stream().map(CatalogEntry::verdict).toList()).countsByKind();
  }

  /** The entries that are not active or do not plainly run: what an operator should read. */
  public List<CatalogEntry> notable() {
    return entries.stream()
        .filter(e -> !e.active() || e.verdict().kind() != LintVerdict.Kind.RUNS)
        .toList();
  }

  /** {@code N rule files: A active; runs R, unfilled fields U, skipped S}. */
  public String summary() {
    Map<LintVerdict.Kind, Integer> c = countsByKind();
    return entries.size()
        + " rule files: "
        + active.size()
        + " active; runs "
        + c.get(LintVerdict.Kind.RUNS)
        + ", unfilled fields "
        + c.get(LintVerdict.Kind.UNFILLED_FIELDS)
        + ", skipped "
        + c.get(LintVerdict.Kind.SKIPPED);
  }
}
