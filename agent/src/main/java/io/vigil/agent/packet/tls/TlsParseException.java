package io.vigil.agent.packet.tls;

/**
 * A handshake message that does not follow its grammar. The only exception the parsers of this
 * package throw on hostile input. It carries no stack trace: it is an expected outcome on
 * attacker-controlled bytes, not a bug, and filling a trace per bad packet would be wasted work.
 */
public final class TlsParseException extends Exception {
  private static final long serialVersionUID = 1L;

  private final TlsMalformed reason;

  /** A malformed message: {@code reason} is the class, {@code detail} where it was found. */
  public TlsParseException(TlsMalformed reason, String detail) {
    super(reason.label() + ": " + detail, null, false, false);
    this.reason = reason;
  }

  /** Why the message is malformed. */
  public TlsMalformed reason() {
    return reason;
  }
}
