package io.vigil.detect.sigma.compile;

import io.vigil.detect.sigma.condition.ConditionNode;
import io.vigil.detect.sigma.condition.ConditionNode.And;
import io.vigil.detect.sigma.condition.ConditionNode.Identifier;
import io.vigil.detect.sigma.condition.ConditionNode.Not;
import io.vigil.detect.sigma.condition.ConditionNode.Or;
import io.vigil.detect.sigma.condition.ConditionNode.Quantified;
import java.util.HashSet;
import java.util.Set;

/**
 * The searches a condition uses positively, under an even number of {@code not}s: only their fields
 * can explain why a rule matched ({@code selection and not filter} matched because of {@code
 * selection}, never because of {@code filter}).
 */
final class PositiveSearches {
  private PositiveSearches() {}

  static Set<String> of(ConditionNode condition) {
    Set<String> out = new HashSet<>();
    collect(condition, true, out);
    return out;
  }

  private static void collect(ConditionNode node, boolean positive, Set<String> out) {
    if (node instanceof Identifier id) {
      if (positive) {
        out.add(id.name());
      }
    } else if (node instanceof Not not) {
      collect(not.operand(), !positive, out);
    } else if (node instanceof And and) {
      and.operands().forEach(n -> collect(n, positive, out));
    } else if (node instanceof Or or) {
      or.operands().forEach(n -> collect(n, positive, out));
    } else if (positive) {
      out.addAll(((Quantified) node).identifiers());
    }
  }
}
