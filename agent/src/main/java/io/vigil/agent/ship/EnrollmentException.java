package io.vigil.agent.ship;

/** Why an enrolment did not succeed, with the message the operator sees. */
public final class EnrollmentException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What went wrong, for the exit code and the caller's tests. */
  public enum Kind {
    /** The collector's CA is not the pinned one, or its certificate does not validate. */
    UNTRUSTED_COLLECTOR,
    /** The collector refused the token (unknown, expired, used up, revoked) or enrolment rate. */
    REFUSED,
    /** The collector refused the certificate request. */
    BAD_REQUEST,
    /** No connection, a timeout, or a collector without the enrolment service. */
    UNREACHABLE
  }

  private final Kind kind;

  public EnrollmentException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
