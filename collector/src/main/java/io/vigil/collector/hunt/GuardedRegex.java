package io.vigil.collector.hunt;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code matches}: a Java regular expression of at most {@value #MAX_PATTERN} chars, searched (not
 * anchored) in at most {@value #MAX_INPUT} chars of a value, and given at most {@value #MAX_STEPS}
 * character reads per value. Event content is attacker-controlled and backtracking is exponential
 * at worst: the step budget bounds the time one value costs. A value that exhausts it counts as a
 * match, so that content crafted to defeat the expression is shown to the analyst rather than
 * hidden. Thread-safe.
 */
final class GuardedRegex implements ValueTest {
  static final int MAX_PATTERN = 512;
  static final int MAX_INPUT = 16 * 1024;
  static final int MAX_STEPS = 1_000_000;

  private final Pattern pattern;

  private GuardedRegex(Pattern pattern) {
    this.pattern = pattern;
  }

  static GuardedRegex compile(String regex, int position) {
    if (regex.length() > MAX_PATTERN) {
      throw new HuntSyntaxException(
          position, "the regular expression is longer than " + MAX_PATTERN + " chars");
    }
    try {
      return new GuardedRegex(Pattern.compile(regex));
    } catch (PatternSyntaxException e) {
      throw new HuntSyntaxException(
          position, "not a regular expression: " + e.getDescription() + " near " + e.getIndex());
    }
  }

  @Override
  public boolean test(Object value) {
    String s = value.toString();
    if (s.length() > MAX_INPUT) {
      s = s.substring(0, MAX_INPUT);
    }
    try {
      return pattern.matcher(new Budgeted(s)).find();
    } catch (BudgetExhausted e) {
      return true;
    }
  }

  /**
   * Thrown out of the matcher when its reads pass the budget; no stack trace (it is control flow).
   */
  private static final class BudgetExhausted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BudgetExhausted() {
      super(null, null, false, false);
    }
  }

  /** The value, counting the matcher's reads. */
  private static final class Budgeted implements CharSequence {
    private final String s;
    private int steps;

    Budgeted(String s) {
      this.s = s;
    }

    @Override
    public char charAt(int index) {
      if (++steps > MAX_STEPS) {
        throw new BudgetExhausted();
      }
      return s.charAt(index);
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return s.subSequence(start, end);
    }

    @Override
    public String toString() {
      return s;
    }
  }
}
