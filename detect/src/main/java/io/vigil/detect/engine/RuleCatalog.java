package io.vigil.detect.engine;

import io.vigil.detect.correlation.CorrelationEngine;
import io.vigil.detect.correlation.CorrelationOptions;
import io.vigil.detect.correlation.CorrelationResolver;
import io.vigil.detect.correlation.CorrelationRule;
import io.vigil.detect.lint.LintReport;
import io.vigil.detect.lint.LintVerdict;
import io.vigil.detect.lint.RuleFiles;
import io.vigil.detect.lint.RuleLint;
import io.vigil.detect.sigma.rule.SigmaCorrelation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rules loaded from a list of directories, with a verdict for every rule so nothing is dropped
 * silently. A file may hold several rules ({@code ---}); each gets its own entry. A detection rule
 * is active (evaluated) when it runs, or when it names fields Vigil never fills but can still fire
 * through other branches without running wider than written (see {@link LintVerdict#widened}); a
 * rule that cannot fire or would run wider, a skipped rule, and a rule whose {@code id} an earlier
 * rule already used are inactive, each with its reason. Correlation rules are resolved over the
 * active detection rules and each other (see {@link CorrelationResolver}), in any loaded file; one
 * whose references do not all resolve is inactive with the reason. A detection rule (or
 * correlation) that active correlations refer to without {@code generate: true} is not {@link
 * #standalone}: its findings feed the correlations and raise no alert of their own. Immutable.
 */
public final class RuleCatalog {
  private final List<CatalogEntry> entries;
  private final List<ActiveRule> active;
  private final List<CorrelationRule> correlations;
  private final Set<String> notStandalone;
  private final Map<Path, CatalogEntry> entryByFile;
  private final Map<Path, List<CatalogEntry>> entriesByFile;
  private final Map<Path, ActiveRule> activeByFile;

  private RuleCatalog(
      List<CatalogEntry> entries,
      List<ActiveRule> active,
      Map<Path, ActiveRule> activeByFile,
      List<CorrelationRule> correlations,
      Set<String> notStandalone) {
    this.entries = List.copyOf(entries);
    this.active = List.copyOf(active);
    this.activeByFile = Map.copyOf(activeByFile);
    this.correlations = List.copyOf(correlations);
    this.notStandalone = Set.copyOf(notStandalone);
    // A file listed twice (a directory given twice) keeps its first entry, as activeByFile does.
    Map<Path, CatalogEntry> byFile = new HashMap<>();
    Map<Path, List<CatalogEntry>> allByFile = new HashMap<>();
    for (CatalogEntry e : entries) {
      byFile.putIfAbsent(e.file(), e);
      allByFile.computeIfAbsent(e.file(), f -> new ArrayList<>()).add(e);
    }
    this.entryByFile = Map.copyOf(byFile);
    Map<Path, List<CatalogEntry>> copy = new HashMap<>();
    allByFile.forEach((f, l) -> copy.put(f, List.copyOf(l)));
    this.entriesByFile = Map.copyOf(copy);
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
    List<SigmaCorrelation> loaded = new ArrayList<>();
    List<Integer> slots = new ArrayList<>(); // where each correlation's entry goes
    List<LintVerdict> provisional = new ArrayList<>(); // names each correlation's file and part
    Map<String, String> notActive = new HashMap<>(); // id or name of a rule not loaded -> why
    for (Path dir : dirs) {
      for (Path file : RuleFiles.list(dir)) {
        for (RuleLint.Examination x : RuleLint.examineAll(file)) {
          LintVerdict v = x.verdict();
          if (x.correlation() != null) {
            loaded.add(x.correlation());
            slots.add(entries.size());
            provisional.add(v);
            entries.add(null); // filled in once every rule is known
            continue;
          }
          if (x.rule() == null) {
            entries.add(new CatalogEntry(file, v, false, "", null));
            if (x.loaded() != null) {
              notActive(notActive, x.loaded().id(), x.loaded().name(), v.detail());
            }
            continue;
          }
          String id = ActiveRule.idOf(x.rule());
          if (v.kind() == LintVerdict.Kind.UNFILLED_FIELDS && (!v.canStillFire() || v.widened())) {
            entries.add(new CatalogEntry(file, v, false, "not loaded", id));
            notActive(notActive, id, x.rule().rule().name(), v.detail());
            continue;
          }
          Path first = firstById.putIfAbsent(id, file);
          if (first != null) {
            entries.add(
                new CatalogEntry(
                    file,
                    v,
                    false,
                    "not loaded: rule id " + id + " already loaded from " + first,
                    id));
            continue;
          }
          ActiveRule rule = new ActiveRule(x.rule(), x.mapping(), id);
          active.add(rule);
          activeByFile.putIfAbsent(file, rule);
          entries.add(new CatalogEntry(file, v, true, "", id));
        }
      }
    }
    CorrelationResolver.Resolution r = CorrelationResolver.resolve(loaded, active, notActive);
    for (int i = 0; i < loaded.size(); i++) {
      CorrelationResolver.Outcome o = r.outcomes().get(i);
      int slot = slots.get(i);
      Path file = provisional.get(i).file();
      LintVerdict v =
          LintVerdict.correlation(file, provisional.get(i).part(), o.reasonGroup(), o.reason());
      String note =
          !o.active()
              ? "not loaded"
              : o.rule().standalone() ? "" : "feeds other correlations only (no alert of its own)";
      entries.set(
          slot,
          new CatalogEntry(
              file,
              v,
              o.active(),
              note,
              o.active() ? o.rule().ruleId() : CorrelationRule.idOf(o.correlation())));
    }
    // Detection rules that only feed correlations say so where they are listed.
    for (int i = 0; i < entries.size(); i++) {
      CatalogEntry e = entries.get(i);
      if (e.active() && !e.correlation() && r.notStandalone().contains(e.ruleId())) {
        entries.set(
            i,
            new CatalogEntry(
                e.file(),
                e.verdict(),
                true,
                "feeds correlations only (no alert of its own)",
                e.ruleId()));
      }
    }
    return new RuleCatalog(entries, active, activeByFile, r.active(), r.notStandalone());
  }

  private static void notActive(Map<String, String> out, String id, String name, String why) {
    if (id != null && !id.isBlank()) {
      out.putIfAbsent(id, why);
    }
    if (name != null && !name.isBlank()) {
      out.putIfAbsent(name, why);
    }
  }

  /** Every rule seen (one per file, or per document of a multi-document file), in load order. */
  public List<CatalogEntry> entries() {
    return entries;
  }

  /** The detection rules the engine evaluates. */
  public List<ActiveRule> active() {
    return active;
  }

  /** The active correlation rules, in load order. */
  public List<CorrelationRule> correlations() {
    return correlations;
  }

  /**
   * Whether findings of {@code ruleId} (a detection rule or a correlation) alert on their own:
   * false when active correlations refer to it and none of them says {@code generate: true}.
   */
  public boolean standalone(String ruleId) {
    return !notStandalone.contains(ruleId);
  }

  /**
   * The ids findings carry, of every active detection and correlation rule: what filters and
   * allow-lists may name.
   */
  public Set<String> ruleIds() {
    Set<String> ids = new HashSet<>();
    active.forEach(a -> ids.add(a.id()));
    correlations.forEach(c -> ids.add(c.ruleId()));
    return ids;
  }

  /** The {@code name} of each active detection rule that has one, to its id. */
  public Map<String, String> ruleNames() {
    Map<String, String> names = new HashMap<>();
    for (ActiveRule a : active) {
      String name = a.compiled().rule().name();
      if (name != null && !name.isBlank()) {
        names.putIfAbsent(name, a.id());
      }
    }
    return names;
  }

  /** A correlation engine over the active correlations. */
  public CorrelationEngine correlationEngine(CorrelationOptions options) {
    Map<String, ActiveRule> bases = new HashMap<>();
    active.forEach(a -> bases.put(a.id(), a));
    return CorrelationEngine.of(correlations, bases, options);
  }

  /**
   * What happened to the rule file {@code file} (as {@link RuleFiles#list} names it, under one of
   * the loaded directories), its first rule for a multi-document file; empty when the catalog did
   * not see it.
   */
  public Optional<CatalogEntry> entry(Path file) {
    return Optional.ofNullable(entryByFile.get(file));
  }

  /** Every entry of {@code file}, in file order; empty when the catalog did not see it. */
  public List<CatalogEntry> entries(Path file) {
    return entriesByFile.getOrDefault(file, List.of());
  }

  /**
   * The first active detection rule loaded from {@code file}; empty when there is none (see {@link
   * #entry} for why) or the file was not seen.
   */
  public Optional<ActiveRule> activeRule(Path file) {
    return Optional.ofNullable(activeByFile.get(file));
  }

  /** An engine over the active detection rules. */
  public DetectionEngine engine() {
    return DetectionEngine.of(active);
  }

  /** Rules per lint class, every class present. */
  public Map<LintVerdict.Kind, Integer> countsByKind() {
    return new LintReport(entries.stream().map(CatalogEntry::verdict).toList()).countsByKind();
  }

  /** The entries that are not active or do not plainly run: what an operator should read. */
  public List<CatalogEntry> notable() {
    return entries.stream()
        .filter(e -> !e.active() || e.verdict().kind() != LintVerdict.Kind.RUNS)
        .toList();
  }

  /**
   * {@code N rule files: A active; runs R, unfilled fields U, skipped S}, then {@code ;
   * correlations C active of T} when there are correlations. A counts files with an active rule or
   * correlation.
   */
  public String summary() {
    Map<LintVerdict.Kind, Integer> c = countsByKind();
    Set<Path> files = new LinkedHashSet<>();
    Set<Path> activeFiles = new LinkedHashSet<>();
    for (CatalogEntry e : entries) {
      files.add(e.file());
      if (e.active()) {
        activeFiles.add(e.file());
      }
    }
    long total = entries.stream().filter(CatalogEntry::correlation).count();
    // Files, not rules: a file may hold several rules; "active" is a file with a rule that runs,
    // so that files minus active is the number of files the log warns about.
    return files.size()
        + " rule files: "
        + activeFiles.size()
        + " active; runs "
        + c.get(LintVerdict.Kind.RUNS)
        + ", unfilled fields "
        + c.get(LintVerdict.Kind.UNFILLED_FIELDS)
        + ", skipped "
        + c.get(LintVerdict.Kind.SKIPPED)
        + (total == 0 ? "" : "; correlations " + correlations.size() + " active of " + total);
  }
}
