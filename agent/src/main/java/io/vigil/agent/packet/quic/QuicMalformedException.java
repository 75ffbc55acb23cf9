package io.vigil.agent.packet.quic;

/**
 * The checked result of the static parsing helpers when their input is not a usable packet: it
 * carries a {@link QuicMalformed} reason and no stack trace, since it reports bad input, not a bug.
 */
public final class QuicMalformedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final QuicMalformed reason;

  public QuicMalformedException(QuicMalformed reason) {
    super(reason.label(), null, false, false);
    this.reason = reason;
  }

  /** Why the input was rejected. */
  public QuicMalformed reason() {
    return reason;
  }
}
