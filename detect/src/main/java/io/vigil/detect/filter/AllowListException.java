package io.vigil.detect.filter;

import java.util.List;

/**
 * An allow-list file that cannot be used, with every problem found in it, each naming its place
 * ({@code entries[2].matc: unknown key}). A partly understood allow-list is not applied: an entry
 * read wrongly could silence what it was never meant to.
 */
public final class AllowListException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> errors;

  public AllowListException(String file, List<String> errors) {
    super(file + ": " + errors.size() + " error(s): " + String.join("; ", errors));
    this.errors = List.copyOf(errors);
  }

  /** Every problem, in file order, each {@code path: message}. */
  public List<String> errors() {
    return errors;
  }
}
