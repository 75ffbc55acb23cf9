package io.vigil.collector.api;

/**
 * An operator API call the collector refused or that did not reach it, in the terms {@code
 * vigilctl} reports: what kind of failure, and the collector's description of it.
 */
public final class OperatorApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** The API token was refused (missing, unknown, expired, revoked). */
    UNAUTHENTICATED,
    /** The operator's role does not allow the call. */
    PERMISSION_DENIED,
    /** No such alert, agent or token. */
    NOT_FOUND,
    /** An argument was refused (the description names it). */
    INVALID_ARGUMENT,
    /** The collector refused it in its current state (e.g. the last admin token). */
    FAILED_PRECONDITION,
    /** The collector could not be reached, or did not answer in time. */
    UNREACHABLE,
    /** Anything else the collector reported. */
    FAILED
  }

  private final Kind kind;

  public OperatorApiException(Kind kind, String description) {
    super(description);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
