package io.vigil.collector.hunt;

import io.vigil.common.config.Suggestions;
import io.vigil.proto.v1.EventKind;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Recursive descent over the tokens of one query (grammar in {@code docs/hunting.md}):
 *
 * <pre>
 * query      = or
 * or         = and { "or" and }
 * and        = unary { "and" unary }
 * unary      = "not" unary | "(" or ")" | comparison
 * comparison = FIELD ( "=" | "!=" | "&lt;" | "&gt;" | "&lt;=" | "&gt;=" | "contains" | "startswith"
 *              | "endswith" | "matches" | "cidr" ) VALUE
 *            | FIELD "in" "(" VALUE { "," VALUE } ")"
 * VALUE      = a bare word | a "double-quoted string"
 * </pre>
 *
 * Keywords and operator words match in any letter case. Nesting and size are bounded. Not
 * thread-safe: one instance per query.
 */
final class QueryParser {
  static final int MAX_DEPTH = 32;
  static final int MAX_COMPARISONS = 256;
  static final int MAX_IN_VALUES = 256;

  private static final List<String> OPERATORS =
      List.of(
          "=",
          "!=",
          "<",
          ">",
          "<=",
          ">=",
          "contains",
          "startswith",
          "endswith",
          "matches",
          "cidr",
          "in");

  private final List<Token> tokens;
  private int next;
  private int depth;
  private int comparisons;

  private QueryParser(List<Token> tokens) {
    this.tokens = tokens;
  }

  static Condition parse(String query) {
    QueryParser p = new QueryParser(QueryLexer.tokens(query));
    if (p.peek().type() == Token.Type.END) {
      throw new HuntSyntaxException(0, "empty query (e.g. kind = exec)");
    }
    Condition c = p.or();
    Token t = p.peek();
    if (t.type() != Token.Type.END) {
      throw new HuntSyntaxException(
          t.position(),
          "expected and, or, or the end of the query, got "
              + t.shown()
              + (t.type() == Token.Type.RPAREN ? " (a ) without its (" : ""));
    }
    return c;
  }

  private Token peek() {
    return tokens.get(next);
  }

  private Token take() {
    return tokens.get(next++);
  }

  private Condition or() {
    List<Condition> parts = new ArrayList<>();
    parts.add(and());
    while (peek().isWord("or")) {
      take();
      parts.add(and());
    }
    return parts.size() == 1 ? parts.get(0) : new Condition.Any(List.copyOf(parts));
  }

  private Condition and() {
    List<Condition> parts = new ArrayList<>();
    parts.add(unary());
    while (peek().isWord("and")) {
      take();
      parts.add(unary());
    }
    return parts.size() == 1 ? parts.get(0) : new Condition.All(List.copyOf(parts));
  }

  private Condition unary() {
    Token t = peek();
    if (++depth > MAX_DEPTH) {
      throw new HuntSyntaxException(t.position(), "nested deeper than " + MAX_DEPTH + " levels");
    }
    try {
      if (t.isWord("not")) {
        take();
        return new Condition.Not(unary());
      }
      if (t.type() == Token.Type.LPAREN) {
        take();
        Condition c = or();
        Token close = take();
        if (close.type() != Token.Type.RPAREN) {
          throw new HuntSyntaxException(
              close.position(),
              "expected ) to close the ( at character "
                  + (t.position() + 1)
                  + ", got "
                  + close.shown());
        }
        return c;
      }
      return comparison();
    } finally {
      depth--;
    }
  }

  private Condition comparison() {
    Token f = take();
    if (f.type() != Token.Type.WORD || f.isWord("and") || f.isWord("or")) {
      throw new HuntSyntaxException(
          f.position(), "expected a field name, not or (, got " + f.shown());
    }
    HuntField field =
        HuntFields.find(f.text())
            .orElseThrow(
                () ->
                    new HuntSyntaxException(
                        f.position(),
                        "unknown field "
                            + f.shown()
                            + HuntFields.didYouMean(f.text())
                            + " (docs/hunting.md lists the fields)"));
    if (++comparisons > MAX_COMPARISONS) {
      throw new HuntSyntaxException(f.position(), "more than " + MAX_COMPARISONS + " comparisons");
    }
    Token op = take();
    String o = op.text().toLowerCase(Locale.ROOT);
    boolean isOperator =
        (op.type() == Token.Type.SYMBOL || op.type() == Token.Type.WORD) && OPERATORS.contains(o);
    if (!isOperator) {
      throw new HuntSyntaxException(
          op.position(),
          "expected an operator after "
              + field.name()
              + " (= != < > <= >= contains startswith endswith matches cidr in), got "
              + op.shown()
              + (op.type() == Token.Type.WORD ? Suggestions.didYouMean(op.text(), OPERATORS) : ""));
    }
    if (o.equals("in")) {
      return in(field, op);
    }
    Token v = value(op);
    Set<EventKind> only = null;
    if (field.name().equals("kind") && (o.equals("=") || o.equals("!="))) {
      EventKind k = kind(v);
      only = o.equals("=") ? EnumSet.of(k) : null;
    }
    return new Condition.Compare(field, ValueTests.compile(o, v), o.equals("!="), only);
  }

  private Condition in(HuntField field, Token op) {
    Token open = take();
    if (open.type() != Token.Type.LPAREN) {
      throw new HuntSyntaxException(
          open.position(), "expected ( after in, e.g. in (a, \"b c\"), got " + open.shown());
    }
    List<Token> values = new ArrayList<>();
    while (true) {
      values.add(value(op));
      if (values.size() > MAX_IN_VALUES) {
        throw new HuntSyntaxException(op.position(), "in: more than " + MAX_IN_VALUES + " values");
      }
      Token t = take();
      if (t.type() == Token.Type.RPAREN) {
        break;
      }
      if (t.type() != Token.Type.COMMA) {
        throw new HuntSyntaxException(
            t.position(), "expected , or ) in the in list, got " + t.shown());
      }
    }
    Set<EventKind> only = null;
    List<ValueTest> tests = new ArrayList<>();
    if (field.name().equals("kind")) {
      only = EnumSet.noneOf(EventKind.class);
      for (Token v : values) {
        only.add(kind(v));
      }
    }
    for (Token v : values) {
      tests.add(ValueTests.compile("=", v));
    }
    List<ValueTest> all = List.copyOf(tests);
    return new Condition.Compare(
        field,
        value -> {
          for (ValueTest t : all) {
            if (t.test(value)) {
              return true;
            }
          }
          return false;
        },
        false,
        only);
  }

  private Token value(Token after) {
    Token v = take();
    if (v.type() != Token.Type.WORD && v.type() != Token.Type.STRING) {
      throw new HuntSyntaxException(
          v.position(),
          "expected a value after "
              + after.shown()
              + " (a word or a \"quoted string\"), got "
              + v.shown());
    }
    return v;
  }

  private static EventKind kind(Token v) {
    return EventKinds.parse(v.text())
        .orElseThrow(
            () ->
                new HuntSyntaxException(
                    v.position(),
                    "unknown event kind "
                        + v.shown()
                        + Suggestions.didYouMean(v.text(), EventKinds.all().keySet())
                        + "; kinds: "
                        + String.join(", ", EventKinds.all().keySet())));
  }
}
