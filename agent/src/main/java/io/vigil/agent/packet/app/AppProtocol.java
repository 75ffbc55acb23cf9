package io.vigil.agent.packet.app;

/**
 * What a connection (or a tunnel inside it) carries, as told by its first bytes, never its ports.
 */
public enum AppProtocol {
  /** HTTP/1.x: a request line (any token method), or a status line when the request was missed. */
  HTTP,
  /**
   * TLS (SSL included): a handshake record with a ClientHello, an SSLv2-format ClientHello, or a
   * ServerHello when the client's was missed.
   */
  TLS,
  /** A SOCKS4 or SOCKS4a request. */
  SOCKS4,
  /** A SOCKS5 method greeting. */
  SOCKS5,
  /** None of the above within the detection bound. */
  UNKNOWN
}
