package io.vigil.agent.sensor.network;

import io.vigil.proto.v1.Transport;

/**
 * One inet socket from a sock_diag dump. Immutable.
 *
 * @param family {@code 2} (AF_INET) or {@code 10} (AF_INET6); a dual-stack socket is 10 even when
 *     its addresses are v4-mapped (and shown as IPv4)
 * @param transport TCP or UDP (from the dump request, not from the message)
 * @param state the kernel's TCP state number ({@code TCP_ESTABLISHED=1 .. TCP_NEW_SYN_RECV=12});
 *     UDP sockets report 1 when connected and 7 (CLOSE) otherwise
 * @param localIp local address as text (IPv4 dotted quad, IPv6 in RFC 5952 form)
 * @param localPort local port, 0 when unbound
 * @param remoteIp remote address as text, the unspecified address when not connected
 * @param remotePort remote port, 0 when not connected
 * @param uid owning user id
 * @param inode socket inode, 0 for sockets without one (TIME_WAIT, request sockets)
 */
public record SocketEntry(
    int family,
    Transport transport,
    int state,
    String localIp,
    int localPort,
    String remoteIp,
    int remotePort,
    long uid,
    long inode) {

  /** TCP states worth reporting as a connection: ESTABLISHED, SYN_SENT and the closing states. */
  private static final int CONNECTION_STATES =
      1 << 1 | 1 << 2 | 1 << 4 | 1 << 5 | 1 << 8 | 1 << 9 | 1 << 11;

  static final int TCP_ESTABLISHED = 1;
  static final int TCP_SYN_SENT = 2;
  static final int TCP_LISTEN = 10;

  /** A listening TCP socket, or a bound, unconnected UDP socket. */
  public boolean listening() {
    if (inode == 0) {
      return false;
    }
    if (transport == Transport.TRANSPORT_TCP) {
      return state == TCP_LISTEN;
    }
    return localPort != 0 && remotePort == 0;
  }

  /** A TCP connection (established, connecting or closing) or a connected UDP socket. */
  public boolean connection() {
    if (inode == 0 || remotePort == 0) {
      return false;
    }
    if (transport == Transport.TRANSPORT_TCP) {
      return (CONNECTION_STATES & (1 << state)) != 0;
    }
    return state == TCP_ESTABLISHED;
  }
}
