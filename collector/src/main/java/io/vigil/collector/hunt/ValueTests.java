package io.vigil.collector.hunt;

import java.util.Locale;

/**
 * Compiles an operator and its operand into a {@link ValueTest}. Text comparisons ignore letter
 * case (as Sigma's do); {@code matches} does not (write {@code (?i)}). Numbers compare as numbers:
 * a {@code Long} value, or text that is an integer. Stateless.
 */
final class ValueTests {
  private ValueTests() {}

  /**
   * @param op an operator other than {@code in}, lower case
   * @param operand its value token
   */
  static ValueTest compile(String op, Token operand) {
    String text = operand.text();
    String lower = text.toLowerCase(Locale.ROOT);
    return switch (op) {
      case "=", "!=" -> equal(text);
      case "contains" -> v -> lower(v).contains(lower);
      case "startswith" -> v -> lower(v).startsWith(lower);
      case "endswith" -> v -> lower(v).endsWith(lower);
      case "matches" -> GuardedRegex.compile(text, operand.position());
      case "cidr" -> IpRange.parse(text, operand.position());
      default -> numeric(op, operand);
    };
  }

  private static ValueTest equal(String text) {
    Long n = number(text);
    return v -> {
      if (n != null && v instanceof Long l) {
        return l.longValue() == n;
      }
      return v.toString().equalsIgnoreCase(text);
    };
  }

  private static ValueTest numeric(String op, Token operand) {
    Long bound = number(operand.text());
    if (bound == null) {
      throw new HuntSyntaxException(
          operand.position(), op + " compares numbers; " + operand.shown() + " is not an integer");
    }
    long b = bound;
    return v -> {
      Long n = v instanceof Long l ? l : number(v.toString());
      if (n == null) {
        return false;
      }
      return switch (op) {
        case "<" -> n < b;
        case ">" -> n > b;
        case "<=" -> n <= b;
        default -> n >= b;
      };
    };
  }

  private static String lower(Object v) {
    return v.toString().toLowerCase(Locale.ROOT);
  }

  /** The integer {@code s} spells; null when it is not one. */
  static Long number(String s) {
    if (s.isEmpty() || s.length() > 19) {
      return null;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
