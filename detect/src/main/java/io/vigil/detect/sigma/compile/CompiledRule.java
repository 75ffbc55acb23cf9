package io.vigil.detect.sigma.compile;

import io.vigil.detect.sigma.condition.ConditionNode;
import io.vigil.detect.sigma.match.FieldCache;
import io.vigil.detect.sigma.match.FieldMatcher;
import io.vigil.detect.sigma.match.RequiredLiterals;
import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.sigma.rule.SigmaRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule ready to evaluate: the loaded rule, its parsed condition and the matcher compiled from
 * them. Immutable and thread-safe; {@link #matches} does not block, and allocates only the field
 * cache of a view that is not one yet and the cached values. Build with {@link
 * RuleCompiler#compile}.
 */
public final class CompiledRule {
  private final SigmaRule rule;
  private final ConditionNode condition;
  private final FieldMatcher matcher;
  private final List<MatchedFieldProbe> probes;
  private final RequiredLiterals requiredLiterals;

  CompiledRule(
      SigmaRule rule,
      ConditionNode condition,
      FieldMatcher matcher,
      List<MatchedFieldProbe> probes) {
    this.rule = rule;
    this.condition = condition;
    this.matcher = matcher;
    this.probes = List.copyOf(probes);
    this.requiredLiterals = matcher.requiredLiterals();
  }

  public SigmaRule rule() {
    return rule;
  }

  public ConditionNode condition() {
    return condition;
  }

  /**
   * Whether {@code event} satisfies the rule's condition. Pass a {@link FieldCache} to share field
   * lookups and folded values with other rules tried on the same event; any other view is wrapped
   * in one for this call.
   */
  public boolean matches(SigmaFields event) {
    return matcher.matches(FieldCache.of(event));
  }

  /**
   * Literals an event must contain for the rule to match (see {@link RequiredLiterals}): an engine
   * may skip the rule for events that lack them. Computed at compile time.
   */
  public RequiredLiterals requiredLiterals() {
    return requiredLiterals;
  }

  /**
   * Which fields of {@code event} made the rule match, for an analyst reading the alert: every
   * field item that matches on its own inside a search that matched and that the condition uses
   * positively (not under {@code not}), with the event's values of that field as text, in rule
   * order. Keyword searches name no field and are not listed. Call only after {@link #matches}
   * returned true; costs a second evaluation.
   */
  public Map<String, List<String>> matchedFields(SigmaFields event) {
    FieldCache cached = FieldCache.of(event);
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (MatchedFieldProbe p : probes) {
      if (!out.containsKey(p.field()) && p.matches(cached)) {
        List<String> values = new ArrayList<>();
        for (Object v : cached.values(p.field())) {
          values.add(String.valueOf(v));
        }
        out.put(p.field(), List.copyOf(values));
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "CompiledRule[" + rule.id() + " " + rule.title() + "]";
  }
}
