package io.vigil.agent.packet.tls;

/** Handshake message type numbers (RFC 8446 4, RFC 5246 7.4) that this package reads. */
public final class HandshakeType {
  public static final int CLIENT_HELLO = 1;
  public static final int SERVER_HELLO = 2;
  public static final int CERTIFICATE = 11;

  private HandshakeType() {}
}
