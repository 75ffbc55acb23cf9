package io.vigil.collector.sink;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * RFC 5426: one message per UDP datagram. The socket is connected, so an ICMP port unreachable from
 * a receiver that is down fails a later send (Linux reports it on the next call) instead of
 * vanishing; nothing tells when a datagram itself is lost. After a failure the next send resolves
 * the host again.
 */
final class SyslogDatagrams implements SyslogTransport {
  /** The largest UDP payload over IPv4 (65535 - 8 - 20). */
  static final int MAX_DATAGRAM = 65_507;

  private final String host;
  private final int port;
  private DatagramSocket socket;

  SyslogDatagrams(String host, int port) {
    this.host = host;
    this.port = port;
  }

  @Override
  public void send(List<byte[]> messages) throws IOException {
    try {
      if (socket == null) {
        InetSocketAddress to = new InetSocketAddress(host, port);
        if (to.isUnresolved()) {
          throw new IOException("cannot resolve syslog host " + host);
        }
        DatagramSocket s = new DatagramSocket();
        s.connect(to);
        socket = s;
      }
      for (byte[] m : messages) {
        socket.send(new DatagramPacket(m, Math.min(m.length, MAX_DATAGRAM)));
      }
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  @Override
  public void close() {
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }
}
