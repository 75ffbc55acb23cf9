package io.vigil.collector.trust;

/** An enrolment that was refused; {@link #kind()} says which status the caller gets. */
public final class EnrollmentRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The kinds of refusal, each its own status towards the caller. */
  public enum Kind {
    /** The token is unknown, expired, used up or revoked (the caller is not told which). */
    TOKEN,
    /** The request is malformed: a field too long, a bad CSR. */
    INVALID,
    /** Enrolment attempts come faster than configured. */
    TOO_MANY
  }

  private final Kind kind;

  EnrollmentRefusedException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
