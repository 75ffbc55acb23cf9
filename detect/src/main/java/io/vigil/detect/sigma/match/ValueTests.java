package io.vigil.detect.sigma.match;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The value tests that need no more than a few lines each; all immutable and thread-safe. */
final class ValueTests {
  /**
   * Regexes see at most this many characters of a value: rules are trusted, event values are not,
   * and a bounded input keeps even a backtracking-heavy rule regex from stalling on one event.
   */
  static final int MAX_REGEX_INPUT = 64 * 1024;

  private ValueTests() {}

  /** A Sigma string (wildcards already compiled) against the value's string form. */
  static ValueTest glob(GlobPattern p) {
    return new Glob(p);
  }

  private record Glob(GlobPattern p) implements ValueTest {
    @Override
    public boolean test(Object value) {
      return p.matches(EventValues.asString(value));
    }

    @Override
    public boolean test(FieldValues values, int i) {
      return p.matches(values, i);
    }

    @Override
    public List<String> requiredLiterals() {
      String literal = p.requiredLiteral();
      return literal == null ? null : List.of(literal);
    }
  }

  /** Several alternatives (base64offset's three shifts, expand's values): any may pass. */
  static ValueTest anyOf(List<ValueTest> alternatives) {
    return alternatives.size() == 1 ? alternatives.get(0) : new AnyOf(List.copyOf(alternatives));
  }

  private record AnyOf(List<ValueTest> alternatives) implements ValueTest {
    @Override
    public boolean test(Object value) {
      for (ValueTest t : alternatives) {
        if (t.test(value)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public boolean test(FieldValues values, int i) {
      for (int k = 0; k < alternatives.size(); k++) {
        if (alternatives.get(k).test(values, i)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public List<String> requiredLiterals() {
      List<String> out = new ArrayList<>();
      for (ValueTest t : alternatives) {
        List<String> l = t.requiredLiterals();
        if (l == null) {
          return null;
        }
        out.addAll(l);
      }
      return out;
    }
  }

  /**
   * A rule number: equal to a numeric event value or a numeric string; other strings compare with
   * the number's string form (case-insensitively, e.g. {@code 0x17} stays a string anyway).
   */
  static ValueTest number(Number ruleValue) {
    BigDecimal n = EventValues.asNumber(ruleValue);
    GlobPattern form = GlobPattern.compile(SigmaString.literal(numberText(ruleValue)), false);
    boolean integral = n.signum() == 0 || n.stripTrailingZeros().scale() <= 0;
    boolean fitsLong = integral && n.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0;
    return new NumberEquals(n, fitsLong, fitsLong ? n.longValueExact() : 0, form);
  }

  private record NumberEquals(BigDecimal n, boolean fitsLong, long asLong, GlobPattern form)
      implements ValueTest {
    @Override
    public boolean test(Object v) {
      if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        // Integral event values (ports, ids) compare without a BigDecimal.
        return fitsLong && ((Number) v).longValue() == asLong;
      }
      BigDecimal e = EventValues.asNumber(v);
      if (e != null) {
        return e.compareTo(n) == 0;
      }
      return form.matches(EventValues.asString(v));
    }

    /**
     * Every text that equals the number, however written ({@code 33}, {@code 033}, {@code 33.0},
     * {@code 3.3e1}), has its first significant digit; zero is written with zeros only.
     */
    @Override
    public List<String> requiredLiterals() {
      String digits = n.unscaledValue().abs().toString();
      return List.of(digits.substring(0, 1));
    }
  }

  static String numberText(Number n) {
    return EventValues.asString(n instanceof Double ? n : (Object) n.longValue());
  }

  /** A rule boolean: an event boolean, or its text {@code true}/{@code false} in any case. */
  static ValueTest bool(boolean ruleValue) {
    String text = Boolean.toString(ruleValue);
    return v ->
        v instanceof Boolean b ? b == ruleValue : text.equalsIgnoreCase(EventValues.asString(v));
  }

  /**
   * {@code re}: unanchored search over the first {@link #MAX_REGEX_INPUT} characters. Literals
   * every match contains ({@link RegexLiterals}) let an engine skip most values without running it.
   */
  static ValueTest regex(Pattern p) {
    return new Regex(p, RegexLiterals.of(p));
  }

  private record Regex(Pattern p, List<String> literals) implements ValueTest {
    @Override
    public boolean test(Object value) {
      return find(EventValues.asString(value));
    }

    @Override
    public boolean test(FieldValues values, int i) {
      return find(values.string(i));
    }

    private boolean find(String s) {
      // Without anchoring bounds '$' cannot match at a cut-off point that is not the real end.
      return p.matcher(s)
          .region(0, Math.min(s.length(), MAX_REGEX_INPUT))
          .useAnchoringBounds(false)
          .find();
    }

    @Override
    public List<String> requiredLiterals() {
      return literals;
    }
  }

  enum Comparison {
    LT,
    LTE,
    GT,
    GTE
  }

  /** {@code lt}/{@code lte}/{@code gt}/{@code gte}: only numeric event values can pass. */
  static ValueTest compare(Comparison op, Number ruleValue) {
    BigDecimal n = EventValues.asNumber(ruleValue);
    return v -> {
      BigDecimal e = EventValues.asNumber(v);
      if (e == null) {
        return false;
      }
      int c = e.compareTo(n);
      return switch (op) {
        case LT -> c < 0;
        case LTE -> c <= 0;
        case GT -> c > 0;
        case GTE -> c >= 0;
      };
    };
  }
}
