package io.vigil.detect.sigma.condition;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.condition.ConditionNode.And;
import io.vigil.detect.sigma.condition.ConditionNode.Identifier;
import io.vigil.detect.sigma.condition.ConditionNode.Not;
import io.vigil.detect.sigma.condition.ConditionNode.Or;
import io.vigil.detect.sigma.condition.ConditionNode.Quantified;
import io.vigil.detect.sigma.condition.ConditionNode.Quantifier;
import io.vigil.detect.sigma.condition.Token.Kind;
import io.vigil.detect.sigma.rule.Detection;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Recursive-descent parser of one condition, precedence (loosest first) {@code or}, {@code and},
 * {@code not}, {@code x of}, parentheses. Identifiers and patterns are resolved against the rule's
 * search identifiers while parsing, so a parsed condition never refers to a missing search. Not
 * thread-safe (one instance per parse); use the static methods.
 */
public final class ConditionParser {
  /** Parentheses and {@code not} nest at most this deep, so hostile input cannot blow the stack. */
  static final int MAX_DEPTH = 64;

  private final List<Token> tokens;
  private final List<String> identifiers;
  private final String where;
  private int next;
  private int depth;

  private ConditionParser(String condition, List<String> identifiers, String where) {
    this.tokens = ConditionLexer.tokens(condition);
    this.identifiers = identifiers;
    this.where = where;
  }

  /**
   * The detection's conditions as one tree: a list of conditions is their OR. Errors name {@code
   * detection.condition} (or {@code detection.condition[i]}) and the 1-based position.
   */
  public static ConditionNode parse(Detection detection) throws SigmaRuleException {
    List<String> names = List.copyOf(detection.searches().keySet());
    List<String> conditions = detection.conditions();
    if (conditions.size() == 1) {
      return parse(conditions.get(0), names, "detection.condition");
    }
    List<ConditionNode> alternatives = new ArrayList<>();
    for (int i = 0; i < conditions.size(); i++) {
      alternatives.add(parse(conditions.get(i), names, "detection.condition[" + i + "]"));
    }
    return new Or(alternatives);
  }

  /** One condition over {@code identifiers} (in rule order); {@code where} prefixes errors. */
  public static ConditionNode parse(String condition, List<String> identifiers, String where)
      throws SigmaRuleException {
    ConditionParser parser = new ConditionParser(condition, identifiers, where);
    ConditionNode node = parser.or();
    Token trailing = parser.peek();
    if (trailing.kind() == Kind.PIPE) {
      throw parser.aggregation(trailing);
    }
    if (trailing.kind() != Kind.END) {
      throw parser.error(
          trailing, "unexpected " + trailing.shown() + " after a complete condition");
    }
    return node;
  }

  private ConditionNode or() throws SigmaRuleException {
    List<ConditionNode> operands = new ArrayList<>(List.of(and()));
    while (peek().kind() == Kind.OR) {
      next++;
      operands.add(and());
    }
    return operands.size() == 1 ? operands.get(0) : new Or(operands);
  }

  private ConditionNode and() throws SigmaRuleException {
    List<ConditionNode> operands = new ArrayList<>(List.of(not()));
    while (peek().kind() == Kind.AND) {
      next++;
      operands.add(not());
    }
    return operands.size() == 1 ? operands.get(0) : new And(operands);
  }

  private ConditionNode not() throws SigmaRuleException {
    Token t = peek();
    if (t.kind() != Kind.NOT) {
      return primary();
    }
    next++;
    enter(t);
    ConditionNode operand = not();
    depth--;
    return new Not(operand);
  }

  private ConditionNode primary() throws SigmaRuleException {
    Token t = take();
    switch (t.kind()) {
      case LPAREN:
        enter(t);
        ConditionNode inner = or();
        depth--;
        Token close = take();
        if (close.kind() != Kind.RPAREN) {
          throw error(
              close,
              "expected ')' to close '(' at position " + t.position() + ", found " + close.shown());
        }
        return inner;
      case NUMBER:
        if (!t.text().equals("1")) {
          throw error(t, "only '1 of' and 'all of' are supported, found '" + t.text() + " of'");
        }
        return quantified(Quantifier.ONE);
      case ALL:
        return quantified(Quantifier.ALL);
      case WORD:
        return identifier(t);
      case PIPE:
        throw aggregation(t);
      default:
        throw error(
            t, "expected a search identifier, '1 of', 'all of', 'not' or '(', found " + t.shown());
    }
  }

  private ConditionNode identifier(Token t) throws SigmaRuleException {
    if (peek().kind() == Kind.OF) {
      throw error(t, "'" + t.text() + " of' is not Sigma; use '1 of' or 'all of'");
    }
    if (t.text().contains("*")) {
      throw error(t, "the pattern '" + t.text() + "' needs '1 of' or 'all of' before it");
    }
    if (!identifiers.contains(t.text())) {
      throw error(t, "unknown search identifier '" + t.text() + "'");
    }
    return new Identifier(t.text());
  }

  private ConditionNode quantified(Quantifier quantifier) throws SigmaRuleException {
    Token of = take();
    if (of.kind() != Kind.OF) {
      throw error(of, "expected 'of', found " + of.shown());
    }
    Token target = take();
    List<String> matched = new ArrayList<>();
    if (target.kind() == Kind.THEM) {
      // By convention identifiers starting with '_' are helpers that 'them' leaves out.
      for (String id : identifiers) {
        if (!id.startsWith("_")) {
          matched.add(id);
        }
      }
    } else if (target.kind() == Kind.WORD) {
      Pattern p = wildcard(target.text());
      for (String id : identifiers) {
        if (p.matcher(id).matches()) {
          matched.add(id);
        }
      }
    } else {
      throw error(
          target, "expected a search identifier pattern or 'them', found " + target.shown());
    }
    if (matched.isEmpty()) {
      throw error(target, "'" + target.text() + "' matches no search identifier");
    }
    return new Quantified(quantifier, target.text(), matched);
  }

  /** The specification's patterns know only '*'; everything else is literal. */
  private static Pattern wildcard(String pattern) {
    StringJoiner regex = new StringJoiner(".*");
    for (String part : pattern.split("\\*", -1)) {
      regex.add(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  private SigmaRuleException aggregation(Token t) {
    return error(
        t,
        "aggregations ('| count() ...') are deprecated and not supported; use a correlation rule");
  }

  private void enter(Token t) throws SigmaRuleException {
    if (++depth > MAX_DEPTH) {
      throw error(t, "nested deeper than " + MAX_DEPTH);
    }
  }

  private Token peek() {
    return tokens.get(next);
  }

  private Token take() {
    Token t = tokens.get(next);
    if (t.kind() != Kind.END) {
      next++;
    }
    return t;
  }

  private SigmaRuleException error(Token at, String message) {
    return new SigmaRuleException(where, "at position " + at.position() + ": " + message);
  }
}
