package io.vigil.detect.sigma.compile;

import io.vigil.detect.sigma.match.FieldMatcher;
import io.vigil.detect.sigma.match.RequiredLiterals;
import io.vigil.detect.sigma.match.SigmaFields;
import java.util.ArrayList;
import java.util.List;

/**
 * AND, OR and NOT over matchers, short-circuiting in operand order. Operands are copied into arrays
 * so evaluation does no iterator allocation. Each says which literals an event needs for it to
 * match, from its operands'. Stateless.
 */
final class Combinators {
  private Combinators() {}

  static FieldMatcher all(List<FieldMatcher> operands) {
    return operands.size() == 1 ? operands.get(0) : new All(operands.toArray(FieldMatcher[]::new));
  }

  static FieldMatcher any(List<FieldMatcher> operands) {
    return operands.size() == 1 ? operands.get(0) : new Any(operands.toArray(FieldMatcher[]::new));
  }

  static FieldMatcher not(FieldMatcher operand) {
    return new Not(operand);
  }

  private record All(FieldMatcher[] ops) implements FieldMatcher {
    @Override
    public boolean matches(SigmaFields event) {
      for (FieldMatcher op : ops) {
        if (!op.matches(event)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public RequiredLiterals requiredLiterals() {
      return RequiredLiterals.allOf(literals(ops));
    }
  }

  private record Any(FieldMatcher[] ops) implements FieldMatcher {
    @Override
    public boolean matches(SigmaFields event) {
      for (FieldMatcher op : ops) {
        if (op.matches(event)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public RequiredLiterals requiredLiterals() {
      return RequiredLiterals.anyOf(literals(ops));
    }
  }

  /** What the operand needs is no requirement of its negation. */
  private record Not(FieldMatcher operand) implements FieldMatcher {
    @Override
    public boolean matches(SigmaFields event) {
      return !operand.matches(event);
    }
  }

  private static List<RequiredLiterals> literals(FieldMatcher[] ops) {
    List<RequiredLiterals> out = new ArrayList<>(ops.length);
    for (FieldMatcher op : ops) {
      out.add(op.requiredLiterals());
    }
    return out;
  }
}
