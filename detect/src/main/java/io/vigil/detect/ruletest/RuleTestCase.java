package io.vigil.detect.ruletest;

import io.vigil.proto.v1.Event;
import java.util.Objects;

/**
 * One test case of a rule: the event and whether the rule must match it. {@code index} is the
 * case's 1-based position in its test file, so a message can name a case whatever its name holds.
 * Immutable.
 */
public record RuleTestCase(int index, String name, boolean expectMatch, Event event) {
  public RuleTestCase {
    Objects.requireNonNull(name);
    Objects.requireNonNull(event);
  }

  /** {@code case 2 "curl piped to sh"}: how messages name the case (escape before printing). */
  public String label() {
    return label(index, name);
  }

  static String label(int index, String name) {
    return "case " + index + (name == null || name.isEmpty() ? "" : " \"" + name + "\"");
  }

  static String expectation(boolean match) {
    return match ? "match" : "no match";
  }
}
