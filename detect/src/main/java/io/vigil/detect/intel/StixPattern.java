package io.vigil.detect.intel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The part of the STIX 2.1 patterning language that can be matched on one Vigil event: observation
 * expressions {@code [ ... ]} of equality comparisons on IP, domain, URL and file-hash paths,
 * joined by OR and AND (inside and between brackets, with parentheses). The pattern becomes a
 * disjunction of terms (each term: comparisons that must all hold on one event). Everything else
 * (other operators, NOT, other object paths, FOLLOWEDBY, WITHIN/REPEATS/START qualifiers) is named
 * as unsupported rather than approximated. Stateless; the grammar reference is OASIS's
 * STIXPattern.g4.
 */
final class StixPattern {
  /** A pattern is refused when its disjunctive form has more terms, or a term more parts. */
  static final int MAX_TERMS = 256;

  static final int MAX_TERM_PARTS = 16;

  private StixPattern() {}

  /** One comparison: supported (a type and normalised value) or not ({@code problem}). */
  record Leaf(IndicatorType type, String value, String problem) {
    boolean ok() {
      return problem == null;
    }
  }

  /**
   * The parsed pattern: {@code terms} in disjunctive normal form, or {@code unsupported} (why the
   * whole pattern cannot be used) and no terms.
   */
  record Result(List<List<Leaf>> terms, String unsupported) {}

  static Result parse(String pattern) {
    try {
      Parser p = new Parser(tokens(pattern));
      List<List<Leaf>> terms = p.observationOr();
      if (!p.atEnd()) {
        throw new Unsupported("syntax: unexpected '" + p.peek().text + "'");
      }
      return new Result(terms, null);
    } catch (Unsupported e) {
      return new Result(List.of(), e.getMessage());
    }
  }

  /** Why a pattern cannot be used; control flow within this class only. */
  private static final class Unsupported extends Exception {
    Unsupported(String why) {
      super(why, null, false, false);
    }
  }

  private enum Kind {
    LBRACK,
    RBRACK,
    LPAREN,
    RPAREN,
    COLON,
    DOT,
    COMMA,
    STRING,
    TYPED_STRING,
    WORD,
    OP
  }

  private record Token(Kind kind, String text) {}

  private static List<Token> tokens(String s) throws Unsupported {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if ("[]():.,".indexOf(c) >= 0) {
        Kind k =
            switch (c) {
              case '[' -> Kind.LBRACK;
              case ']' -> Kind.RBRACK;
              case '(' -> Kind.LPAREN;
              case ')' -> Kind.RPAREN;
              case ':' -> Kind.COLON;
              case '.' -> Kind.DOT;
              default -> Kind.COMMA;
            };
        out.add(new Token(k, String.valueOf(c)));
        i++;
      } else if (c == '\'') {
        StringBuilder b = new StringBuilder();
        i = string(s, i, b);
        out.add(new Token(Kind.STRING, b.toString()));
      } else if ("=!<>".indexOf(c) >= 0) {
        int j = i + 1;
        while (j < s.length() && "=<>".indexOf(s.charAt(j)) >= 0 && j - i < 2) {
          j++;
        }
        out.add(new Token(Kind.OP, s.substring(i, j)));
        i = j;
      } else if (isWord(c)) {
        int j = i;
        while (j < s.length() && isWord(s.charAt(j))) {
          j++;
        }
        String w = s.substring(i, j);
        if (j < s.length()
            && s.charAt(j) == '\''
            && (w.equals("t") || w.equals("b") || w.equals("h"))) {
          StringBuilder b = new StringBuilder();
          j = string(s, j, b);
          out.add(new Token(Kind.TYPED_STRING, w + "'" + b));
        } else {
          out.add(new Token(Kind.WORD, w));
        }
        i = j;
      } else {
        throw new Unsupported("syntax: unexpected character '" + c + "'");
      }
    }
    return out;
  }

  private static boolean isWord(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-'
        || c == '+'
        || c == '*';
  }

  /** A quoted string from {@code s[i]} (the quote) into {@code b}; the index after it. */
  private static int string(String s, int i, StringBuilder b) throws Unsupported {
    i++;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        b.append(s.charAt(i + 1));
        i += 2;
      } else if (c == '\'') {
        return i + 1;
      } else {
        b.append(c);
        i++;
      }
    }
    throw new Unsupported("syntax: unterminated string");
  }

  private static final class Parser {
    private final List<Token> t;
    private int pos;

    Parser(List<Token> t) {
      this.t = t;
    }

    boolean atEnd() {
      return pos >= t.size();
    }

    Token peek() {
      return atEnd() ? new Token(Kind.WORD, "<end>") : t.get(pos);
    }

    boolean keyword(String k) {
      Token x = peek();
      if (x.kind == Kind.WORD && x.text.equalsIgnoreCase(k)) {
        pos++;
        return true;
      }
      return false;
    }

    Token expect(Kind k) throws Unsupported {
      Token x = peek();
      if (x.kind != k) {
        throw new Unsupported("syntax: expected " + k + " at '" + x.text + "'");
      }
      pos++;
      return x;
    }

    List<List<Leaf>> observationOr() throws Unsupported {
      List<List<Leaf>> terms = observationAnd();
      while (keyword("OR")) {
        terms = or(terms, observationAnd());
      }
      if (peek().kind == Kind.WORD && peek().text.equalsIgnoreCase("FOLLOWEDBY")) {
        throw new Unsupported("FOLLOWEDBY (a sequence of events)");
      }
      return terms;
    }

    List<List<Leaf>> observationAnd() throws Unsupported {
      List<List<Leaf>> terms = observation();
      while (keyword("AND")) {
        terms = and(terms, observation());
      }
      return terms;
    }

    List<List<Leaf>> observation() throws Unsupported {
      List<List<Leaf>> terms;
      if (peek().kind == Kind.LBRACK) {
        pos++;
        terms = comparisonOr();
        expect(Kind.RBRACK);
      } else if (peek().kind == Kind.LPAREN) {
        pos++;
        terms = observationOr();
        expect(Kind.RPAREN);
      } else {
        throw new Unsupported("syntax: expected '[' at '" + peek().text + "'");
      }
      Token q = peek();
      if (q.kind == Kind.WORD
          && List.of("WITHIN", "REPEATS", "START").contains(q.text.toUpperCase(Locale.ROOT))) {
        throw new Unsupported("qualifier " + q.text.toUpperCase(Locale.ROOT));
      }
      return terms;
    }

    List<List<Leaf>> comparisonOr() throws Unsupported {
      List<List<Leaf>> terms = comparisonAnd();
      while (keyword("OR")) {
        terms = or(terms, comparisonAnd());
      }
      return terms;
    }

    List<List<Leaf>> comparisonAnd() throws Unsupported {
      List<List<Leaf>> terms = comparisonUnit();
      while (keyword("AND")) {
        terms = and(terms, comparisonUnit());
      }
      return terms;
    }

    List<List<Leaf>> comparisonUnit() throws Unsupported {
      if (peek().kind == Kind.LPAREN) {
        pos++;
        List<List<Leaf>> terms = comparisonOr();
        expect(Kind.RPAREN);
        return terms;
      }
      return List.of(List.of(comparison()));
    }

    Leaf comparison() throws Unsupported {
      String objectType = expect(Kind.WORD).text;
      expect(Kind.COLON);
      StringBuilder path = new StringBuilder(objectType.toLowerCase(Locale.ROOT)).append(':');
      path.append(component());
      while (peek().kind == Kind.DOT || peek().kind == Kind.LBRACK) {
        if (expectEither() == Kind.DOT) {
          path.append('.').append(component());
        } else {
          path.append('[').append(expect(Kind.WORD).text).append(']');
          expect(Kind.RBRACK);
        }
      }
      boolean negated = keyword("NOT");
      Token op = peek();
      String operator;
      if (op.kind == Kind.OP) {
        operator = op.text;
        pos++;
      } else if (op.kind == Kind.WORD) {
        operator = op.text.toUpperCase(Locale.ROOT);
        pos++;
      } else {
        throw new Unsupported("syntax: expected an operator at '" + op.text + "'");
      }
      Token value = value();
      if (negated) {
        return unsupported("NOT " + operator + " on " + path);
      }
      if (!operator.equals("=") && !operator.equals("==")) {
        return unsupported(operator + " on " + path);
      }
      if (value.kind != Kind.STRING) {
        return unsupported("a non-string value for " + path);
      }
      return leaf(path.toString(), value.text);
    }

    private Kind expectEither() {
      return t.get(pos++).kind;
    }

    /** A path component: a name or a quoted name ({@code 'SHA-256'}), lower-cased. */
    private String component() throws Unsupported {
      Token x = peek();
      if (x.kind == Kind.WORD || x.kind == Kind.STRING) {
        pos++;
        return x.text.toLowerCase(Locale.ROOT);
      }
      throw new Unsupported("syntax: expected a property name at '" + x.text + "'");
    }

    private Token value() throws Unsupported {
      Token x = peek();
      if (x.kind == Kind.LPAREN) {
        // A set for IN: skip to its end.
        int depth = 0;
        do {
          Token y = t.get(pos++);
          depth += y.kind == Kind.LPAREN ? 1 : y.kind == Kind.RPAREN ? -1 : 0;
          if (pos >= t.size() && depth > 0) {
            throw new Unsupported("syntax: unterminated set");
          }
        } while (depth > 0);
        return new Token(Kind.WORD, "(set)");
      }
      if (x.kind == Kind.STRING || x.kind == Kind.TYPED_STRING || x.kind == Kind.WORD) {
        pos++;
        return x;
      }
      throw new Unsupported("syntax: expected a value at '" + x.text + "'");
    }
  }

  private static Leaf unsupported(String why) {
    return new Leaf(null, null, why);
  }

  private static Leaf leaf(String path, String value) {
    IndicatorType type =
        switch (path) {
          case "ipv4-addr:value", "ipv6-addr:value" -> IndicatorType.IP;
          case "domain-name:value" -> IndicatorType.DOMAIN;
          case "url:value" -> IndicatorType.URL;
          case "file:hashes.md5" -> IndicatorType.MD5;
          case "file:hashes.sha-1", "file:hashes.sha1" -> IndicatorType.SHA1;
          case "file:hashes.sha-256", "file:hashes.sha256" -> IndicatorType.SHA256;
          default -> null;
        };
    if (type == null) {
      return unsupported("path " + path);
    }
    IndicatorValues.Parsed p =
        type == IndicatorType.URL
            ? IndicatorValues.url(value.strip())
            : IndicatorValues.as(type, value);
    if (!p.ok()) {
      return unsupported("invalid value for " + path + " (" + p.problem() + "): '" + value + "'");
    }
    return new Leaf(p.type(), p.value(), null);
  }

  private static List<List<Leaf>> or(List<List<Leaf>> a, List<List<Leaf>> b) throws Unsupported {
    if (a.size() + b.size() > MAX_TERMS) {
      throw new Unsupported("more than " + MAX_TERMS + " alternatives");
    }
    List<List<Leaf>> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static List<List<Leaf>> and(List<List<Leaf>> a, List<List<Leaf>> b) throws Unsupported {
    if ((long) a.size() * b.size() > MAX_TERMS) {
      throw new Unsupported("more than " + MAX_TERMS + " alternatives");
    }
    List<List<Leaf>> out = new ArrayList<>();
    for (List<Leaf> x : a) {
      for (List<Leaf> y : b) {
        if (x.size() + y.size() > MAX_TERM_PARTS) {
          throw new Unsupported("an AND of more than " + MAX_TERM_PARTS + " comparisons");
        }
        List<Leaf> term = new ArrayList<>(x);
        term.addAll(y);
        out.add(List.copyOf(term));
      }
    }
    return out;
  }
}
