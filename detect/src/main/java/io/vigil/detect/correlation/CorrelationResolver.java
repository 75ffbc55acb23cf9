package io.vigil.detect.correlation;

import io.vigil.detect.engine.ActiveRule;
import io.vigil.detect.sigma.rule.SigmaCorrelation;
import io.vigil.detect.vigil.LogSourceMapping;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves loaded correlations against the active detection rules and each other. A reference names
 * a rule by {@code id} or {@code name}, in any loaded file. A correlation is active when every
 * reference resolves to exactly one active rule or active correlation, no chain loops back to it,
 * and every field it needs can be present in its inputs: for a detection rule, a field its log
 * source fills or a host field ({@link CorrelationEngine#HOST_FIELDS}); for a correlation, one of
 * its group-by names (a correlation's firing carries only its group values). Otherwise it is
 * inactive with the reason, in one of three groups: {@value #UNRESOLVED}, {@value #UNSUPPORTED},
 * {@value #INVALID_FIELD}. Stateless.
 */
public final class CorrelationResolver {
  public static final String UNRESOLVED = "unresolved reference";
  public static final String UNSUPPORTED = "unsupported feature";
  public static final String INVALID_FIELD = "invalid field";

  private CorrelationResolver() {}

  /**
   * What became of one correlation: {@code rule} when active, else null with {@code reasonGroup}
   * and {@code reason}.
   */
  public record Outcome(
      SigmaCorrelation correlation, CorrelationRule rule, String reasonGroup, String reason) {
    public boolean active() {
      return rule != null;
    }
  }

  /** The outcome of every correlation (in the order given) and which rules alert on their own. */
  public record Resolution(List<Outcome> outcomes, Set<String> notStandalone) {
    public Resolution {
      outcomes = List.copyOf(outcomes);
      notStandalone = Set.copyOf(notStandalone);
    }

    public List<CorrelationRule> active() {
      return outcomes.stream().filter(Outcome::active).map(Outcome::rule).toList();
    }
  }

  /**
   * Resolves {@code correlations} over the active detection rules {@code bases}. A correlation
   * whose id (see {@link CorrelationRule#idOf}) an earlier correlation or a detection rule already
   * uses is inactive.
   */
  public static Resolution resolve(List<SigmaCorrelation> correlations, List<ActiveRule> bases) {
    return resolve(correlations, bases, Map.of());
  }

  /**
   * As {@link #resolve(List, List)}; {@code inactive} maps the id or name of a loaded detection
   * rule that is not active onto why, so a reference to it says so rather than that nothing has
   * that name.
   */
  public static Resolution resolve(
      List<SigmaCorrelation> correlations, List<ActiveRule> bases, Map<String, String> inactive) {
    return new Run(correlations, bases, inactive).resolve();
  }

  /** A target of a reference: a detection rule or a correlation (by index). */
  private record Target(String ruleId, String name, ActiveRule base, int correlation) {}

  private static final class Run {
    final List<SigmaCorrelation> correlations;
    final Map<String, Set<Target>> byKey = new HashMap<>();
    final Outcome[] outcomes;
    final int[] state; // 0 unvisited, 1 on the stack, 2 done
    final String[] ids;
    final Map<String, String> inactive;

    Run(List<SigmaCorrelation> correlations, List<ActiveRule> bases, Map<String, String> inactive) {
      this.inactive = inactive;
      this.correlations = correlations;
      this.outcomes = new Outcome[correlations.size()];
      this.state = new int[correlations.size()];
      this.ids = new String[correlations.size()];
      Set<String> used = new HashSet<>();
      for (ActiveRule b : bases) {
        String name = b.compiled().rule().name();
        Target t = new Target(b.id(), name, b, -1);
        index(b.id(), t);
        if (name != null) {
          index(name, t);
        }
        used.add(b.id());
      }
      for (int i = 0; i < correlations.size(); i++) {
        SigmaCorrelation c = correlations.get(i);
        ids[i] = CorrelationRule.idOf(c);
        if (!used.add(ids[i])) {
          outcomes[i] =
              new Outcome(c, null, UNSUPPORTED, "rule id " + ids[i] + " is already loaded");
          state[i] = 2;
          continue;
        }
        Target t = new Target(ids[i], c.name(), null, i);
        index(ids[i], t);
        if (c.name() != null) {
          index(c.name(), t);
        }
      }
    }

    private void index(String key, Target t) {
      byKey.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(t);
    }

    Resolution resolve() {
      for (int i = 0; i < correlations.size(); i++) {
        visit(i);
      }
      // Referenced rules alert on their own only when a correlation referring to them says so.
      Map<String, Boolean> generated = new HashMap<>();
      for (Outcome o : outcomes) {
        if (o.active()) {
          for (CorrelationRule.Reference r : o.rule().references()) {
            generated.merge(r.ruleId(), o.correlation().generate(), Boolean::logicalOr);
          }
        }
      }
      Set<String> notStandalone = new HashSet<>();
      generated.forEach(
          (id, gen) -> {
            if (!gen) {
              notStandalone.add(id);
            }
          });
      List<Outcome> out = new ArrayList<>();
      for (Outcome o : outcomes) {
        if (o.active() && notStandalone.contains(o.rule().ruleId())) {
          CorrelationRule r = o.rule();
          o =
              new Outcome(
                  o.correlation(),
                  new CorrelationRule(r.rule(), r.ruleId(), r.references(), false),
                  "",
                  "");
        }
        out.add(o);
      }
      return new Resolution(out, notStandalone);
    }

    /** Resolves correlation {@code i} (and, first, every correlation it refers to). */
    private void visit(int i) {
      if (state[i] == 2) {
        return;
      }
      state[i] = 1;
      outcomes[i] = check(i);
      state[i] = 2;
    }

    private Outcome check(int i) {
      SigmaCorrelation c = correlations.get(i);
      List<CorrelationRule.Reference> refs = new ArrayList<>();
      Map<CorrelationRule.Reference, Target> targets = new HashMap<>();
      for (String written : c.rules()) {
        Set<Target> found = byKey.getOrDefault(written, Set.of());
        if (found.isEmpty()) {
          String why = inactive.get(written);
          return inactive(
              c,
              UNRESOLVED,
              why != null
                  ? "'" + written + "' is not active (" + why + ")"
                  : "no loaded rule has the id or name '" + written + "'");
        }
        if (found.size() > 1) {
          return inactive(
              c,
              UNRESOLVED,
              "'" + written + "' names " + found.size() + " loaded rules; names must be unique");
        }
        Target t = found.iterator().next();
        if (t.correlation() >= 0) {
          int j = t.correlation();
          if (state[j] == 1) {
            return inactive(
                c, UNSUPPORTED, "the correlation chain through '" + written + "' loops back");
          }
          visit(j);
          if (!outcomes[j].active()) {
            return inactive(
                c,
                UNRESOLVED,
                "'" + written + "' is an inactive correlation (" + outcomes[j].reason() + ")");
          }
        }
        CorrelationRule.Reference ref =
            new CorrelationRule.Reference(written, t.ruleId(), t.name(), t.correlation() >= 0);
        if (refs.stream().anyMatch(r -> r.ruleId().equals(ref.ruleId()))) {
          return inactive(c, UNSUPPORTED, "'" + written + "' refers to a rule listed already");
        }
        refs.add(ref);
        targets.put(ref, t);
      }
      if (c.fields().size() > 1 && !c.type().equals("value_count")) {
        return inactive(
            c, UNSUPPORTED, c.type() + " over several fields (only value_count takes a tuple)");
      }
      for (var alias : c.aliases().entrySet()) {
        for (String named : alias.getValue().keySet()) {
          if (refs.stream()
              .noneMatch(
                  r ->
                      named.equals(r.name())
                          || named.equals(r.written())
                          || named.equals(r.ruleId()))) {
            return inactive(
                c,
                INVALID_FIELD,
                "alias "
                    + alias.getKey()
                    + " names '"
                    + named
                    + "', which the correlation does"
                    + " not refer to");
          }
        }
      }
      CorrelationRule rule = new CorrelationRule(c, ids[i], refs, true);
      for (CorrelationRule.Reference ref : refs) {
        Target t = targets.get(ref);
        for (String f : needed(rule, ref)) {
          if (t.correlation() >= 0) {
            if (!correlations.get(t.correlation()).groupBy().contains(f)) {
              return inactive(
                  c,
                  INVALID_FIELD,
                  f
                      + " is not a group-by field of correlation '"
                      + ref.written()
                      + "' (a correlation's firing carries only its group values)");
            }
          } else {
            LogSourceMapping m = t.base().mapping();
            if (!m.fills(f) && !CorrelationEngine.HOST_FIELDS.contains(f)) {
              return inactive(
                  c,
                  INVALID_FIELD,
                  "Vigil never fills "
                      + f
                      + " for rule '"
                      + ref.written()
                      + "' ("
                      + m.reason()
                      + "), so no input of it could be grouped or counted");
            }
          }
        }
      }
      return new Outcome(c, rule, "", "");
    }

    private static Outcome inactive(SigmaCorrelation c, String group, String reason) {
      return new Outcome(c, null, group, reason);
    }
  }

  /** The fields inputs of {@code ref} must hold: group-by after aliases, then condition fields. */
  static List<String> needed(CorrelationRule rule, CorrelationRule.Reference ref) {
    List<String> out = new ArrayList<>();
    for (String g : rule.rule().groupBy()) {
      out.add(rule.fieldFor(ref, g));
    }
    for (String f : rule.rule().fields()) {
      out.add(rule.fieldFor(ref, f));
    }
    return out;
  }
}
