package io.vigil.detect.filter;

import io.vigil.detect.engine.Finding;
import io.vigil.detect.lint.RuleFiles;
import io.vigil.proto.v1.Event;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Sigma filters in force, indexed by the rules they name. A rule is named by its {@code id} (as
 * {@link Finding#ruleId} gives it) or by its {@code name} once {@link #withRuleNames} has been told
 * the names. A finding of rule R on event E is silenced when a filter naming R covers E's kind with
 * its log source and selects E (see {@link SigmaFilter#selects}): the Sigma meaning of {@code (R)
 * and not (filter)}. Immutable apart from counters; thread-safe: many threads may ask at once.
 */
public final class FilterSet {
  private static final SigmaFilter[] NONE = new SigmaFilter[0];

  private final List<SigmaFilter> filters;
  private final Map<String, SigmaFilter[]> byRule;
  private final Map<String, String> nameToId;
  private final LongAdder errors;

  private FilterSet(List<SigmaFilter> filters, Map<String, String> nameToId, LongAdder errors) {
    this.filters = List.copyOf(filters);
    this.nameToId = Map.copyOf(nameToId);
    this.errors = errors;
    Map<String, List<SigmaFilter>> index = new HashMap<>();
    for (SigmaFilter f : this.filters) {
      for (String ref : f.rules()) {
        add(index, ref, f);
        String id = this.nameToId.get(ref);
        if (id != null) {
          add(index, id, f);
        }
      }
    }
    Map<String, SigmaFilter[]> frozen = new HashMap<>();
    index.forEach((rule, list) -> frozen.put(rule, list.toArray(SigmaFilter[]::new)));
    this.byRule = Map.copyOf(frozen);
  }

  private static void add(Map<String, List<SigmaFilter>> index, String rule, SigmaFilter f) {
    List<SigmaFilter> list = index.computeIfAbsent(rule, r -> new ArrayList<>());
    if (!list.contains(f)) {
      list.add(f);
    }
  }

  /** No filters: silences nothing. */
  public static FilterSet empty() {
    return of(List.of());
  }

  /** A set of already read filters (see {@link FilterReader}), in force as given. */
  public static FilterSet of(Collection<SigmaFilter> filters) {
    return new FilterSet(new ArrayList<>(filters), Map.of(), new LongAdder());
  }

  /**
   * Reads every filter file under each directory in order ({@code .yml}/{@code .yaml}, as {@link
   * RuleFiles#list} finds rule files) with a verdict for each: a file that cannot be read or
   * compiled, whose log source Vigil cannot serve, whose fields Vigil never fills in a way that
   * leaves it useless or wider than written, or whose {@code id} an earlier file already used, is
   * not loaded and says why. A directory that cannot be walked is an error: a collector told to
   * apply filters it cannot read must not start as if there were none. Blocks on file I/O.
   */
  public static FilterLoad load(List<Path> dirs) throws IOException {
    List<SigmaFilter> loaded = new ArrayList<>();
    List<FilterVerdict> verdicts = new ArrayList<>();
    Map<String, Path> firstById = new HashMap<>();
    for (Path dir : dirs) {
      for (Path file : RuleFiles.list(dir)) {
        FilterCheck.Checked c = FilterCheck.check(file);
        SigmaFilter f = c.filter();
        if (f != null && f.id() != null) {
          Path first = firstById.putIfAbsent(f.id(), file);
          if (first != null) {
            verdicts.add(
                new FilterVerdict(
                    file,
                    FilterVerdict.Kind.ERROR,
                    false,
                    f.label(),
                    Set.of(),
                    "id: filter id " + f.id() + " already loaded from " + first));
            continue;
          }
        }
        if (f != null) {
          loaded.add(f);
        }
        verdicts.add(c.verdict());
      }
    }
    return new FilterLoad(of(loaded), verdicts);
  }

  /**
   * The same filters, also applied to rules named by {@code name} in their {@code rules} list:
   * {@code nameToId} maps each rule name to its id. Counters are shared with this set.
   */
  public FilterSet withRuleNames(Map<String, String> nameToId) {
    return new FilterSet(filters, nameToId, errors);
  }

  /** The filters in force, in load order. */
  public List<SigmaFilter> filters() {
    return filters;
  }

  public boolean isEmpty() {
    return filters.isEmpty();
  }

  /**
   * The label of the first filter (in load order) that silences rule {@code ruleId} on {@code
   * event}, counting it; empty when none does. A filter that throws while matching (never expected)
   * silences nothing: the finding stays, and {@link #errors} counts it. Does not block.
   */
  public Optional<String> silencedBy(String ruleId, Event event) {
    for (SigmaFilter f : byRule.getOrDefault(ruleId, NONE)) {
      boolean selects;
      try {
        selects = f.selects(event);
      } catch (RuntimeException e) {
        errors.increment();
        continue;
      }
      if (selects) {
        f.countSilenced();
        return Optional.of(f.label());
      }
    }
    return Optional.empty();
  }

  /** {@link #silencedBy(String, Event)} for a finding's rule and event. */
  public Optional<String> silencedBy(Finding finding) {
    return silencedBy(finding.ruleId(), finding.event());
  }

  /** The findings no filter silences, in order (silenced ones are counted). */
  public List<Finding> unsilenced(List<Finding> findings) {
    if (byRule.isEmpty()) {
      return findings;
    }
    List<Finding> out = new ArrayList<>(findings.size());
    for (Finding f : findings) {
      if (silencedBy(f).isEmpty()) {
        out.add(f);
      }
    }
    return out;
  }

  /** Findings silenced by each filter, by {@link SigmaFilter#label}, in load order. */
  public Map<String, Long> silencedCounts() {
    Map<String, Long> out = new LinkedHashMap<>();
    filters.forEach(f -> out.merge(f.label(), f.silencedCount(), Long::sum));
    return out;
  }

  /** Filter evaluations that threw, since the filters were loaded. */
  public long errors() {
    return errors.sum();
  }

  /**
   * One line per rule reference that names no rule in {@code ruleIds} (directly, or by a name
   * {@link #withRuleNames} was given): such a reference silences nothing, which an operator should
   * hear about rather than find out. Sorted.
   */
  public List<String> unknownRules(Set<String> ruleIds) {
    Set<String> out = new TreeSet<>();
    for (SigmaFilter f : filters) {
      for (String ref : f.rules()) {
        String id = nameToId.getOrDefault(ref, ref);
        if (!ruleIds.contains(id)) {
          out.add(
              f.label()
                  + ": filter.rules names "
                  + ref
                  + ", which no loaded rule has as id or name");
        }
      }
    }
    return List.copyOf(out);
  }
}
