package io.vigil.agent.packet.app;

/**
 * A proxy tunnel a connection carries: after its handshake the bytes are another connection's, to
 * {@code host:port}. Tunnels nest ({@link #outer}): SOCKS inside an HTTP CONNECT is a SOCKS tunnel
 * whose outer tunnel is the CONNECT.
 *
 * @param host the target as the client named it: a name (SOCKS4a, SOCKS5 domain, CONNECT) or an
 *     address in canonical text; useful when TLS inside carries no SNI
 * @param port the target port, -1 when the CONNECT target had none
 * @param outer the tunnel this one runs inside, null when it runs directly over TCP
 */
public record Tunnel(Kind kind, String host, int port, Tunnel outer) {
  /** The proxy protocol. */
  public enum Kind {
    SOCKS4,
    SOCKS4A,
    SOCKS5,
    HTTP_CONNECT
  }

  /** Tunnels this one is nested in, plus one (1 for a tunnel directly over TCP). */
  public int depth() {
    return outer == null ? 1 : outer.depth() + 1;
  }
}
