package io.vigil.detect.engine;

import io.vigil.detect.sigma.match.FieldCache;
import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.vigil.LogSourceMapping;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Evaluates events against a fixed set of rules. Rules are indexed by the event kinds their log
 * source serves and grouped by mapping, so each event is presented once per distinct log source and
 * only the rules that can apply to it are tried. Within a log source, an index of the literals each
 * rule requires ({@link CandidateRules}) leaves out the rules an event cannot match (most events
 * leave none), and the rules that are tried share a {@link FieldCache} over the view, so each field
 * is read and case-folded once. Findings come in a fixed order: log sources in the order their
 * first rule was given, then views, then rules in the order given. Immutable apart from its error
 * counter; thread-safe: many threads may evaluate at once.
 */
public final class DetectionEngine {
  private final Map<EventKind, Group[]> byKind;
  private final int ruleCount;
  private final LongAdder ruleErrors = new LongAdder();

  /**
   * Per thread: the field cache each view is presented through, and the candidate index's working
   * space, reset from one view to the next instead of allocated for each.
   */
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

  private DetectionEngine(Map<EventKind, Group[]> byKind, int ruleCount) {
    this.byKind = byKind;
    this.ruleCount = ruleCount;
  }

  public static DetectionEngine of(Collection<ActiveRule> rules) {
    // LogSources hands out one mapping instance per distinct log source (identity equality);
    // linked, so groups keep the order of their first rule.
    Map<LogSourceMapping, List<ActiveRule>> byMapping = new LinkedHashMap<>();
    for (ActiveRule r : rules) {
      byMapping.computeIfAbsent(r.mapping(), m -> new ArrayList<>()).add(r);
    }
    Map<EventKind, List<Group>> groups = new EnumMap<>(EventKind.class);
    byMapping.forEach(
        (mapping, list) -> {
          ActiveRule[] array = list.toArray(ActiveRule[]::new);
          Group g = new Group(mapping, array);
          mapping.kinds().forEach(k -> groups.computeIfAbsent(k, x -> new ArrayList<>()).add(g));
        });
    Map<EventKind, Group[]> byKind = new EnumMap<>(EventKind.class);
    groups.forEach((k, list) -> byKind.put(k, list.toArray(Group[]::new)));
    return new DetectionEngine(byKind, rules.size());
  }

  /** The rules this engine evaluates. */
  public int ruleCount() {
    return ruleCount;
  }

  /**
   * How many presentations an event of {@code kind} gets: one per distinct log source among the
   * rules that apply to it, however many rules share each.
   */
  int presentationsPerEvent(EventKind kind) {
    Group[] groups = byKind.get(kind);
    return groups == null ? 0 : groups.length;
  }

  /**
   * Evaluations that threw (a bug or a pathological value, never expected): a rule that threw
   * counts as not matching for that event, a failed explanation leaves a finding without matched
   * fields, a failed presentation skips that log source's rules for that event; everything else
   * still runs.
   */
  public long ruleErrors() {
    return ruleErrors.sum();
  }

  /** The findings for {@code event}, one per matching rule; empty (and shared) when none match. */
  public List<Finding> evaluate(Event event) {
    EventKind kind = LogSourceMapping.kindOf(event);
    Group[] groups = kind == null ? null : byKind.get(kind);
    if (groups == null) {
      return List.of();
    }
    List<Finding> out = null;
    Scratch s = scratch.get();
    FieldCache view = s.view;
    for (Group g : groups) {
      List<SigmaFields> views = present(g, event);
      // Indexed, not for-each: the iterator would be allocated for every event.
      for (int i = 0; i < views.size(); i++) {
        SigmaFields v = views.get(i);
        long[] candidates = candidates(g, v, s);
        if (candidates == null) {
          continue;
        }
        boolean cached = false;
        for (int w = 0; w < g.words; w++) {
          for (long bits = candidates[w]; bits != 0; bits &= bits - 1) {
            ActiveRule r = g.rules[(w << 6) + Long.numberOfTrailingZeros(bits)];
            if (!cached) {
              view.reset(v);
              cached = true;
            }
            // A rule matches the event once, on the first view (auditd record) that satisfies it.
            if (alreadyFound(out, r) || !matches(r, view)) {
              continue;
            }
            if (out == null) {
              out = new ArrayList<>(2);
            }
            out.add(finding(r, event, view));
          }
        }
      }
    }
    view.reset(null);
    return out == null ? List.of() : out;
  }

  /**
   * Presenting an event and screening it against the index are the engine's own code, not a rule's;
   * should either ever fail on some event, that event loses this log source's rules (counted), not
   * the others.
   */
  private List<SigmaFields> present(Group g, Event event) {
    try {
      return g.mapping.present(event);
    } catch (RuntimeException | StackOverflowError e) {
      ruleErrors.increment();
      return List.of();
    }
  }

  private long[] candidates(Group g, SigmaFields view, Scratch s) {
    try {
      return g.candidates.candidates(view, s.index);
    } catch (RuntimeException | StackOverflowError e) {
      ruleErrors.increment();
      return null;
    }
  }

  private boolean matches(ActiveRule r, SigmaFields view) {
    try {
      return r.compiled().matches(view);
    } catch (RuntimeException | StackOverflowError e) {
      ruleErrors.increment();
      return false;
    }
  }

  private static boolean alreadyFound(List<Finding> found, ActiveRule r) {
    if (found == null) {
      return false;
    }
    for (Finding f : found) {
      if (f.ruleId().equals(r.id())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The rule matched: that stands even if explaining it fails (matchedFields re-runs items the
   * match itself short-circuited past, and one of those may throw); the finding then names no
   * fields and the failure is counted.
   */
  private Finding finding(ActiveRule r, Event event, SigmaFields view) {
    var rule = r.compiled().rule();
    Map<String, List<String>> fields;
    try {
      fields = r.compiled().matchedFields(view);
    } catch (RuntimeException | StackOverflowError e) {
      ruleErrors.increment();
      fields = Map.of();
    }
    return new Finding(
        r.id(), rule.title(), rule.level(), rule.tags(), rule.origin(), event, fields);
  }

  private record Group(
      LogSourceMapping mapping, ActiveRule[] rules, CandidateRules candidates, int words) {
    Group(LogSourceMapping mapping, ActiveRule[] rules) {
      this(mapping, rules, CandidateRules.of(rules), (rules.length + 63) / 64);
    }
  }

  private static final class Scratch {
    final FieldCache view = FieldCache.reusable();
    final CandidateRules.Scratch index = new CandidateRules.Scratch();
  }
}
