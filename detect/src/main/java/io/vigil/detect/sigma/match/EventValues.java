package io.vigil.detect.sigma.match;

import java.math.BigDecimal;

/** How event values (String, Long, Integer, Double, Boolean) read as strings and as numbers. */
final class EventValues {
  private EventValues() {}

  /** The string a Sigma string pattern is matched against; integral doubles read as integers. */
  static String asString(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return String.valueOf(v);
  }

  /**
   * The value as a number: numbers as they are, strings that are decimal numbers parsed
   * (surrounding blanks allowed, at most 40 characters so hostile input stays cheap), anything else
   * null.
   */
  static BigDecimal asNumber(Object v) {
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return BigDecimal.valueOf(((Number) v).longValue());
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
    }
    if (v instanceof String s) {
      String t = s.strip();
      if (t.isEmpty() || t.length() > 40) {
        return null;
      }
      for (int i = 0; i < t.length(); i++) {
        char c = t.charAt(i);
        boolean ok = (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E';
        ok |= (c == '-' || c == '+');
        if (!ok) {
          return null;
        }
      }
      try {
        return new BigDecimal(t);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  static boolean isNumber(Object ruleValue) {
    return ruleValue instanceof Number;
  }
}
