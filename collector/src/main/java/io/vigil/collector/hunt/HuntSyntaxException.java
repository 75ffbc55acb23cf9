package io.vigil.collector.hunt;

/**
 * A query that cannot be run: bad syntax, an unknown field or operator, a value of the wrong type.
 * The message names the position (1-based character) and, for a misspelt name, a likely intent. An
 * {@link IllegalArgumentException}, so the operator API answers INVALID_ARGUMENT.
 */
public final class HuntSyntaxException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final int position;

  /**
   * @param position 0-based offset in the query of the offending token
   * @param message what is wrong
   */
  HuntSyntaxException(int position, String message) {
    super("query, at character " + (position + 1) + ": " + message);
    this.position = position;
  }

  /** 0-based offset in the query of the offending token. */
  public int position() {
    return position;
  }
}
