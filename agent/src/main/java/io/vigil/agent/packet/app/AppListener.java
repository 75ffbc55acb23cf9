package io.vigil.agent.packet.app;

import io.vigil.agent.packet.http.HttpTransaction;
import io.vigil.agent.packet.stream.TcpConnection;

/**
 * What the application-layer analyzers find, called on the capture thread during the reassembler's
 * deliveries, in stream order. Every method defaults to nothing.
 */
public interface AppListener {
  /**
   * A layer of the connection was classified: the connection itself ({@code via} null) or a tunnel
   * in it. Called once per layer; {@link AppProtocol#UNKNOWN} when nothing matched.
   */
  default void detected(TcpConnection connection, AppProtocol protocol, Tunnel via, long ts) {}

  /** A SOCKS or CONNECT handshake succeeded: what follows runs to {@code tunnel}'s target. */
  default void tunnel(TcpConnection connection, Tunnel tunnel, long ts) {}

  /** One HTTP transaction (in request order per connection), with the tunnel it ran in or null. */
  default void http(TcpConnection connection, Tunnel via, HttpTransaction transaction) {}
}
