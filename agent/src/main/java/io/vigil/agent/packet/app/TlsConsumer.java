package io.vigil.agent.packet.app;

import io.vigil.agent.packet.stream.TcpConnection;

/**
 * Receives the byte streams of a connection (or tunnel) detected as TLS, from its first byte: the
 * TLS parser plugs in here. Calls come on the capture thread in stream order per direction, the
 * directions interleaved as their packets arrived; arrays are valid during the call only. {@link
 * #end} is the last call. A consumer may throw nothing: the bytes are attacker-controlled and it
 * must bound itself.
 */
public interface TlsConsumer {
  /** Makes the consumer of one TLS stream. */
  @FunctionalInterface
  interface Factory {
    /**
     * @param connection the TCP connection
     * @param via the tunnel the TLS runs in (its target names the server when there is no SNI),
     *     null when directly over TCP
     * @return the consumer, or null to ignore this stream
     */
    TlsConsumer create(TcpConnection connection, Tunnel via);
  }

  /** The client's next bytes. */
  void client(byte[] b, int off, int len, long timestampNs);

  /** The server's next bytes. */
  void server(byte[] b, int off, int len, long timestampNs);

  /** {@code bytes} of one direction were lost; the stream goes on after them. */
  void gap(boolean fromClient, long bytes, long timestampNs);

  /** The connection ended. */
  void end(long timestampNs);

  /**
   * Whether more bytes of {@code fromClient}'s direction are of use (false once the handshake is
   * read): the reassembler then stops delivering them, saving the copy and the calls.
   */
  default boolean wantsMore(boolean fromClient) {
    return true;
  }
}
