package io.vigil.detect.sigma.match;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Literals one of which every match of a {@code java.util.regex} pattern contains, found by reading
 * the pattern conservatively: runs of consecutive mandatory literal characters, small alternations
 * of literals ({@code (W|R)}), and {@code \Q..\E} quotes combine into sets of strings; anything
 * else (classes, {@code .}, optional or repeated parts, back-references) ends a run. Lookarounds
 * and anchors consume nothing and are skipped. Inline flags, {@code COMMENTS} and {@code LITERAL}
 * make it give up (null), as does anything it does not understand: giving up only costs speed.
 * Folded ({@link CaseFold}), which is sound with and without case-insensitive matching. Stateless.
 */
final class RegexLiterals {
  /** The most strings a set may grow to by combining alternatives. */
  private static final int MAX_SET = 16;

  private final String p;
  private int i;

  private RegexLiterals(String pattern) {
    this.p = pattern;
  }

  /** Folded literals one of which every match contains; null when none can be said. */
  static List<String> of(Pattern pattern) {
    if ((pattern.flags() & (Pattern.COMMENTS | Pattern.LITERAL)) != 0) {
      return null;
    }
    // This reader and CaseFold work on UTF-16 chars; Java's regex quantifies and folds whole code
    // points. Rather than a literal with half a character in it, claim none (only speed is lost).
    if (hasSurrogate(pattern.pattern())) {
      return null;
    }
    try {
      RegexLiterals r = new RegexLiterals(pattern.pattern());
      Info info = r.alternation();
      if (r.i != r.p.length()) {
        return null;
      }
      List<String> best = info.required();
      if (best == null) {
        return null;
      }
      List<String> out = new ArrayList<>(best.size());
      for (String s : best) {
        out.add(CaseFold.fold(s));
      }
      return List.copyOf(new LinkedHashSet<>(out));
    } catch (GiveUp | RuntimeException e) {
      return null;
    }
  }

  private static boolean hasSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /** A construct this reader does not handle: no literals are claimed for the pattern. */
  private static final class GiveUp extends Exception {
    GiveUp() {
      super(null, null, false, false);
    }
  }

  /**
   * What a part of a pattern matches: {@code exact}, the complete set of strings it can match when
   * that is a small set of literals (else null); {@code best}, a set one of which every match
   * contains (else null).
   */
  private record Info(List<String> exact, List<String> best) {
    static final Info UNKNOWN = new Info(null, null);
    static final Info EMPTY = new Info(List.of(""), null);

    List<String> required() {
      return better(exact, best);
    }
  }

  private Info alternation() throws GiveUp {
    List<Info> alternatives = new ArrayList<>();
    alternatives.add(sequence());
    while (i < p.length() && p.charAt(i) == '|') {
      i++;
      alternatives.add(sequence());
    }
    if (alternatives.size() == 1) {
      return alternatives.get(0);
    }
    Set<String> exact = new LinkedHashSet<>();
    Set<String> best = new LinkedHashSet<>();
    for (Info a : alternatives) {
      if (exact != null && a.exact() != null) {
        exact.addAll(a.exact());
      } else {
        exact = null;
      }
      List<String> r = a.required();
      if (best != null && r != null) {
        best.addAll(r);
      } else {
        best = null;
      }
    }
    List<String> e = exact == null || exact.size() > MAX_SET ? null : List.copyOf(exact);
    return new Info(e, best == null ? null : valid(List.copyOf(best)));
  }

  private Info sequence() throws GiveUp {
    List<String> run = List.of("");
    boolean allExact = true;
    List<String> best = null;
    while (i < p.length() && p.charAt(i) != '|' && p.charAt(i) != ')') {
      Info f = quantified(atom());
      if (f.exact() != null) {
        List<String> joined = product(run, f.exact());
        if (joined != null) {
          run = joined;
          continue;
        }
        allExact = false;
        best = better(best, valid(run));
        run = f.exact();
        continue;
      }
      allExact = false;
      best = better(best, valid(run));
      best = better(best, f.best());
      run = List.of("");
    }
    best = better(best, valid(run));
    return new Info(allExact ? run : null, best);
  }

  /** A quantifier after an atom: optional parts require nothing, repeated ones end the run. */
  private Info quantified(Info atom) throws GiveUp {
    if (i >= p.length()) {
      return atom;
    }
    char c = p.charAt(i);
    int min;
    int max;
    if (c == '?' || c == '*') {
      i++;
      min = 0;
      max = c == '?' ? 1 : Integer.MAX_VALUE;
    } else if (c == '+') {
      i++;
      min = 1;
      max = Integer.MAX_VALUE;
    } else if (c == '{') {
      int close = p.indexOf('}', i);
      if (close < 0) {
        throw new GiveUp();
      }
      String[] bounds = p.substring(i + 1, close).split(",", -1);
      min = Integer.parseInt(bounds[0].strip());
      max =
          bounds.length == 1
              ? min
              : bounds[1].isBlank() ? Integer.MAX_VALUE : Integer.parseInt(bounds[1].strip());
      i = close + 1;
    } else {
      return atom;
    }
    if (i < p.length() && (p.charAt(i) == '?' || p.charAt(i) == '+')) {
      i++; // lazy or possessive: matches the same strings
    }
    if (min == 0) {
      return Info.UNKNOWN;
    }
    if (min == 1 && max == 1) {
      return atom;
    }
    return new Info(null, atom.required());
  }

  private Info atom() throws GiveUp {
    char c = p.charAt(i++);
    switch (c) {
      case '(':
        return group();
      case '[':
        skipClass();
        return Info.UNKNOWN;
      case '.':
        return Info.UNKNOWN;
      case '^':
      case '$':
        return Info.EMPTY;
      case '\\':
        return escape();
      case '*':
      case '+':
      case '?':
      case '{':
        throw new GiveUp();
      default:
        return literal(String.valueOf(c));
    }
  }

  private Info group() throws GiveUp {
    boolean lookaround = false;
    if (p.startsWith("?", i)) {
      if (p.startsWith("?:", i) || p.startsWith("?>", i)) {
        i += 2;
      } else if (p.startsWith("?=", i) || p.startsWith("?!", i)) {
        i += 2;
        lookaround = true;
      } else if (p.startsWith("?<=", i) || p.startsWith("?<!", i)) {
        i += 3;
        lookaround = true;
      } else if (p.startsWith("?<", i)) {
        int close = p.indexOf('>', i);
        if (close < 0) {
          throw new GiveUp();
        }
        i = close + 1;
      } else {
        throw new GiveUp(); // inline flags
      }
    }
    Info inner = alternation();
    if (i >= p.length() || p.charAt(i) != ')') {
      throw new GiveUp();
    }
    i++;
    // A lookaround consumes nothing: the text around it is still contiguous.
    return lookaround ? Info.EMPTY : inner;
  }

  private void skipClass() throws GiveUp {
    int depth = 1;
    if (i < p.length() && p.charAt(i) == '^') {
      i++;
    }
    if (i < p.length() && p.charAt(i) == ']') {
      i++; // a leading ']' is literal
    }
    while (i < p.length()) {
      char c = p.charAt(i++);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        depth++;
      } else if (c == ']' && --depth == 0) {
        return;
      }
    }
    throw new GiveUp();
  }

  private Info escape() throws GiveUp {
    if (i >= p.length()) {
      throw new GiveUp();
    }
    char c = p.charAt(i++);
    switch (c) {
      case 't':
        return literal("\t");
      case 'n':
        return literal("\n");
      case 'r':
        return literal("\r");
      case 'f':
        return literal("\f");
      case 'a':
        return literal("\u0007");
      case 'e':
        return literal("\u001b");
      case 'b':
      case 'B':
      case 'A':
      case 'z':
      case 'Z':
      case 'G':
        return Info.EMPTY;
      case 'Q':
        int end = p.indexOf("\\E", i);
        String quoted = end < 0 ? p.substring(i) : p.substring(i, end);
        i = end < 0 ? p.length() : end + 2;
        return quoted.isEmpty() ? Info.EMPTY : literal(quoted);
      case 'd', 'D', 's', 'S', 'w', 'W', 'h', 'H', 'v', 'V', 'R', 'X':
        return Info.UNKNOWN;
      default:
        if (Character.isLetterOrDigit(c)) {
          // Octal, hex, unicode, control, property, named or numbered back-reference: their
          // length varies; not worth reading.
          throw new GiveUp();
        }
        return literal(String.valueOf(c));
    }
  }

  private static Info literal(String s) {
    return new Info(List.of(s), null);
  }

  /** Every a followed by every b; null past {@link #MAX_SET}. */
  private static List<String> product(List<String> a, List<String> b) {
    if ((long) a.size() * b.size() > MAX_SET) {
      return null;
    }
    List<String> out = new ArrayList<>(a.size() * b.size());
    for (String x : a) {
      for (String y : b) {
        out.add(x + y);
      }
    }
    return out;
  }

  /** {@code set} when none of its strings is empty (an empty one requires nothing), else null. */
  private static List<String> valid(List<String> set) {
    if (set == null || set.isEmpty()) {
      return null;
    }
    for (String s : set) {
      if (s.isEmpty()) {
        return null;
      }
    }
    return set;
  }

  /** The more selective of two requirement sets (either may be null). */
  private static List<String> better(List<String> a, List<String> b) {
    if (valid(a) == null) {
      return valid(b);
    }
    if (valid(b) == null) {
      return a;
    }
    return chance(b) < chance(a) ? b : a;
  }

  private static double chance(List<String> set) {
    double p = 0;
    for (String s : set) {
      p += 1.0 / ((1 + s.length()) * (1 + s.length()));
    }
    return p;
  }
}
