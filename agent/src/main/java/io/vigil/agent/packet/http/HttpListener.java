package io.vigil.agent.packet.http;

/**
 * Receives what an {@link HttpParser} finds, on the thread that feeds the parser, in order:
 * transactions in request order (a response-only transaction when its response completes).
 */
public interface HttpListener {
  void transaction(HttpTransaction transaction);

  /**
   * A CONNECT tunnel was established (after its transaction was emitted); the parser reads nothing
   * more of the connection. The default ignores it.
   */
  default void tunnel(HttpTunnel tunnel) {}
}
