package io.vigil.collector.detection;

/**
 * The configured rules cannot be loaded (a rule directory is missing or unreadable): the collector
 * does not start, rather than run as if it had no rules. The message names the config key.
 */
public final class RuleLoadException extends Exception {
  private static final long serialVersionUID = 1L;

  RuleLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
