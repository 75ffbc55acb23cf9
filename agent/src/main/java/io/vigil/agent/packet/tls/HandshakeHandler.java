package io.vigil.agent.packet.tls;

/** Receives each complete handshake message of one direction, in order. */
@FunctionalInterface
public interface HandshakeHandler {
  /**
   * One message.
   *
   * @param type the handshake type byte ({@link HandshakeType})
   * @param body the message after its 4-byte header (type and 24-bit length), exactly as long as
   *     the header said; a fresh array the handler owns
   */
  void message(int type, byte[] body);
}
