package io.vigil.detect.sigma.match;

/** A compiled test of one event, built once per rule and run for every event; thread-safe. */
@FunctionalInterface
public interface FieldMatcher {

  boolean matches(SigmaFields event);

  /**
   * Literals an event must contain for {@link #matches} to be true, so an engine can skip this
   * matcher for events without them; {@link RequiredLiterals#UNKNOWN} (the default) when none can
   * be said, which is always correct.
   */
  default RequiredLiterals requiredLiterals() {
    return RequiredLiterals.UNKNOWN;
  }
}
