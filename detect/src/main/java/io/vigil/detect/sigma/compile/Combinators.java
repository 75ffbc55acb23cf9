package io.vigil.detect.sigma.compile;

import io.vigil.detect.sigma.match.FieldMatcher;
import java.util.List;

/**
 * AND, OR and NOT over matchers, short-circuiting in operand order. Operands are copied into arrays
 * so evaluation does no iterator allocation. Stateless.
 */
final class Combinators {
  private Combinators() {}

  static FieldMatcher all(List<FieldMatcher> operands) {
    if (operands.size() == 1) {
      return operands.get(0);
    }
    FieldMatcher[] ops = operands.toArray(FieldMatcher[]::new);
    return event -> {
      for (FieldMatcher op : ops) {
        if (!op.matches(event)) {
          return false;
        }
      }
      return true;
    };
  }

  static FieldMatcher any(List<FieldMatcher> operands) {
    if (operands.size() == 1) {
      return operands.get(0);
    }
    FieldMatcher[] ops = operands.toArray(FieldMatcher[]::new);
    return event -> {
      for (FieldMatcher op : ops) {
        if (op.matches(event)) {
          return true;
        }
      }
      return false;
    };
  }

  static FieldMatcher not(FieldMatcher operand) {
    return event -> !operand.matches(event);
  }
}
