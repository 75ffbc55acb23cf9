package io.vigil.detect.sigma.match;

import java.util.List;

/** A test of one field value (String, Long, Double, Boolean; never null); thread-safe. */
@FunctionalInterface
interface ValueTest {

  boolean test(Object value);

  /**
   * The test of value {@code i} (not null) of {@code values}; tests that read the value's string or
   * folded form take it from there, computed once per event and field.
   */
  default boolean test(FieldValues values, int i) {
    return test(values.raw(i));
  }

  /**
   * Folded literals, one of which the folded string form of every value that passes contains; null
   * when none can be said.
   */
  default List<String> requiredLiterals() {
    return null;
  }
}
