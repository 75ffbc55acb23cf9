package io.vigil.detect.sigma.compile;

import io.vigil.detect.sigma.condition.ConditionNode;
import io.vigil.detect.sigma.match.FieldMatcher;
import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.detect.sigma.rule.SigmaRule;

/**
 * A rule ready to evaluate: the loaded rule, its parsed condition and the matcher compiled from
 * them. Immutable and thread-safe; {@link #matches} does not block or allocate beyond what the leaf
 * matchers do. Build with {@link RuleCompiler#compile}.
 */
public final class CompiledRule {
  private final SigmaRule rule;
  private final ConditionNode condition;
  private final FieldMatcher matcher;

  CompiledRule(SigmaRule rule, ConditionNode condition, FieldMatcher matcher) {
    this.rule = rule;
    this.condition = condition;
    this.matcher = matcher;
  }

  public SigmaRule rule() {
    return rule;
  }

  public ConditionNode condition() {
    return condition;
  }

  /** Whether {@code event} satisfies the rule's condition. */
  public boolean matches(SigmaFields event) {
    return matcher.matches(event);
  }

  @Override
  public String toString() {
    return "CompiledRule[" + rule.id() + " " + rule.title() + "]";
  }
}
