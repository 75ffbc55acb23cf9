package io.vigil.detect.sigma.match;

/** A test of one field value (String, Long, Double, Boolean; never null); thread-safe. */
@FunctionalInterface
interface ValueTest {

  boolean test(Object value);
}
