package io.vigil.detect.sigma.condition;

import io.vigil.detect.sigma.condition.ConditionNode.And;
import io.vigil.detect.sigma.condition.ConditionNode.Identifier;
import io.vigil.detect.sigma.condition.ConditionNode.Not;
import io.vigil.detect.sigma.condition.ConditionNode.Or;
import io.vigil.detect.sigma.condition.ConditionNode.Quantified;
import java.util.HashSet;
import java.util.Set;

/**
 * Which searches a condition uses positively (under an even number of {@code not}s) and which
 * negated. Only positive searches can explain why a rule matched ({@code selection and not filter}
 * matched because of {@code selection}); a negated search that can never match makes its {@code
 * not} always true. A search can be both. Stateless.
 */
public final class SearchPolarity {
  private SearchPolarity() {}

  public static Set<String> positive(ConditionNode condition) {
    Set<String> out = new HashSet<>();
    collect(condition, true, true, out);
    return out;
  }

  public static Set<String> negated(ConditionNode condition) {
    Set<String> out = new HashSet<>();
    collect(condition, true, false, out);
    return out;
  }

  private static void collect(
      ConditionNode node, boolean positive, boolean wanted, Set<String> out) {
    if (node instanceof Not not) {
      collect(not.operand(), !positive, wanted, out);
    } else if (node instanceof And and) {
      and.operands().forEach(n -> collect(n, positive, wanted, out));
    } else if (node instanceof Or or) {
      or.operands().forEach(n -> collect(n, positive, wanted, out));
    } else if (positive == wanted) {
      if (node instanceof Identifier id) {
        out.add(id.name());
      } else {
        out.addAll(((Quantified) node).identifiers());
      }
    }
  }
}
