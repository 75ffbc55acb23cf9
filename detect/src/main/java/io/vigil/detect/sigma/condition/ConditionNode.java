package io.vigil.detect.sigma.condition;

import java.util.List;

/** A node of a parsed condition. Immutable. */
public sealed interface ConditionNode {

  /** All operands must match; at least two. */
  record And(List<ConditionNode> operands) implements ConditionNode {
    public And {
      operands = List.copyOf(operands);
    }
  }

  /** Any operand must match; at least two. */
  record Or(List<ConditionNode> operands) implements ConditionNode {
    public Or {
      operands = List.copyOf(operands);
    }
  }

  record Not(ConditionNode operand) implements ConditionNode {}

  /** A search identifier of the rule, by name. */
  record Identifier(String name) implements ConditionNode {}

  /**
   * {@code 1 of pattern} ({@link Quantifier#ONE}) or {@code all of pattern}: {@code pattern} as
   * written ({@code selection*} or {@code them}), {@code identifiers} the non-empty list of the
   * rule's search identifiers it matched, in rule order.
   */
  record Quantified(Quantifier quantifier, String pattern, List<String> identifiers)
      implements ConditionNode {
    public Quantified {
      identifiers = List.copyOf(identifiers);
    }
  }

  enum Quantifier {
    ONE,
    ALL
  }
}
