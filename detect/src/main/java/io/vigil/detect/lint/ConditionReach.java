package io.vigil.detect.lint;

import io.vigil.detect.sigma.condition.ConditionNode;
import io.vigil.detect.sigma.condition.ConditionNode.And;
import io.vigil.detect.sigma.condition.ConditionNode.Identifier;
import io.vigil.detect.sigma.condition.ConditionNode.Not;
import io.vigil.detect.sigma.condition.ConditionNode.Or;
import io.vigil.detect.sigma.condition.ConditionNode.Quantified;
import io.vigil.detect.sigma.condition.ConditionNode.Quantifier;
import java.util.List;
import java.util.Set;

/**
 * Whether a condition can still be true when some searches are known never to match: three-valued
 * (Kleene) evaluation with those searches false and every other search unknown. "Can" is an upper
 * bound: a condition that contradicts itself ({@code a and not a}) still counts as able to fire.
 * Stateless.
 */
public final class ConditionReach {
  private enum Truth {
    FALSE,
    UNKNOWN,
    TRUE
  }

  private ConditionReach() {}

  public static boolean canFire(ConditionNode condition, Set<String> neverMatching) {
    return eval(condition, neverMatching) != Truth.FALSE;
  }

  private static Truth eval(ConditionNode node, Set<String> dead) {
    if (node instanceof Identifier id) {
      return dead.contains(id.name()) ? Truth.FALSE : Truth.UNKNOWN;
    }
    if (node instanceof Not not) {
      Truth t = eval(not.operand(), dead);
      return t == Truth.UNKNOWN ? t : (t == Truth.TRUE ? Truth.FALSE : Truth.TRUE);
    }
    if (node instanceof And and) {
      return all(and.operands().stream().map(n -> eval(n, dead)).toList());
    }
    if (node instanceof Or or) {
      return any(or.operands().stream().map(n -> eval(n, dead)).toList());
    }
    Quantified q = (Quantified) node;
    List<Truth> ts =
        q.identifiers().stream()
            .map(id -> dead.contains(id) ? Truth.FALSE : Truth.UNKNOWN)
            .toList();
    return q.quantifier() == Quantifier.ALL ? all(ts) : any(ts);
  }

  private static Truth all(List<Truth> ts) {
    return ts.stream().min(Enum::compareTo).orElse(Truth.TRUE);
  }

  private static Truth any(List<Truth> ts) {
    return ts.stream().max(Enum::compareTo).orElse(Truth.FALSE);
  }
}
