package io.vigil.detect.sigma;

/**
 * A rule that cannot be loaded or compiled, with the place in the rule ({@code detection.sel.
 * CommandLine|contains}) and why. The rule is skipped and reported; the engine keeps serving the
 * other rules.
 */
public final class SigmaRuleException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String where;

  public SigmaRuleException(String where, String message) {
    super(where.isEmpty() ? message : where + ": " + message);
    this.where = where;
  }

  /** The path inside the rule, e.g. {@code detection.selection.Image|endswith}; may be empty. */
  public String where() {
    return where;
  }
}
