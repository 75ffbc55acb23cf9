package io.vigil.detect.sigma.match;

import io.vigil.detect.sigma.SigmaRuleException;
import java.util.Arrays;
import java.util.List;

/** Shorthands for the matcher tests. */
final class Fixtures {
  private Fixtures() {}

  /** Compiles {@code spec} with the given values, failing the test on a rule error. */
  static FieldMatcher rule(String spec, Object... values) {
    try {
      return FieldMatchers.compile(spec, Arrays.asList(values));
    } catch (SigmaRuleException e) {
      throw new AssertionError("rule did not compile: " + e.getMessage(), e);
    }
  }

  /** Whether {@code spec: values} matches an event whose {@code field} is {@code value}. */
  static boolean hits(String spec, Object value, Object... values) {
    String field = spec.split("\\|")[0];
    return rule(spec, values).matches(MapFields.of(field, value));
  }

  static List<Object> list(Object... values) {
    return Arrays.asList(values);
  }
}
