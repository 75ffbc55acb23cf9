package io.vigil.agent.uninstall;

/**
 * What one step of {@code release-host} did, as one line for the operator. Immutable.
 *
 * @param line what was done or found, or what could not be done and how to do it by hand
 * @param failed true when something could not be released
 */
public record Step(String line, boolean failed) {
  /** A step that released something or found nothing to release. */
  static Step done(String line) {
    return new Step(line, false);
  }

  /** A step that left something in place; {@code line} says how to undo it by hand. */
  static Step failed(String line) {
    return new Step(line, true);
  }
}
