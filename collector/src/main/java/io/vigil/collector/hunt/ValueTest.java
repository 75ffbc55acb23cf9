package io.vigil.collector.hunt;

/** One operator with its compiled operand: whether a single field value passes. Thread-safe. */
@FunctionalInterface
interface ValueTest {
  /**
   * @param value a {@code String} or {@code Long} field value
   */
  boolean test(Object value);
}
