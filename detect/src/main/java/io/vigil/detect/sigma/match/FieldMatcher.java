package io.vigil.detect.sigma.match;

/** A compiled test of one event, built once per rule and run for every event; thread-safe. */
@FunctionalInterface
public interface FieldMatcher {

  boolean matches(SigmaFields event);
}
