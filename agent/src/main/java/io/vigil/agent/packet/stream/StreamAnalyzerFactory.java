package io.vigil.agent.packet.stream;

/**
 * Makes the analyzer of a new connection. Called by {@link TcpStreams} on its thread when the
 * connection delivers its first payload (a connection without payload never gets one).
 */
@FunctionalInterface
public interface StreamAnalyzerFactory {
  /**
   * @return the connection's analyzer, or null when the connection is of no interest: its bytes are
   *     then neither buffered nor delivered
   */
  StreamAnalyzer create(TcpConnection connection);
}
