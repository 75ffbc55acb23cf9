package io.vigil.common.config;

import java.util.List;

/**
 * A configuration that cannot be used, with every problem found, each naming its key path (e.g.
 * {@code spool.max_bytes: expected a size like 512MiB, got "lots"}). {@link #getMessage()} lists
 * them one per line, so a daemon can print it as is and exit.
 */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  /** Every problem, in the order found: load errors first, then binding, then unknown keys. */
  public List<String> problems() {
    return problems;
  }
}
