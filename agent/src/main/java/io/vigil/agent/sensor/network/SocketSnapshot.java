package io.vigil.agent.sensor.network;

import io.vigil.agent.platform.linux.SockDiagSocket;
import io.vigil.proto.v1.Transport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every inet socket of the host at one moment: four sock_diag dumps (IPv4 and IPv6, TCP and UDP).
 * Immutable.
 *
 * @param sockets the parsed sockets
 * @param complete every dump answered in full (none failed, was truncated or interrupted), so a
 *     socket missing from it is closed
 * @param problem what went wrong with an incomplete snapshot, {@code ""} otherwise
 */
record SocketSnapshot(List<SocketEntry> sockets, boolean complete, String problem) {
  private static final int[] FAMILIES = {SockDiagSocket.AF_INET, SockDiagSocket.AF_INET6};

  SocketSnapshot {
    sockets = List.copyOf(sockets);
  }

  /**
   * Takes a snapshot on {@code socket}; blocks for the four dumps (milliseconds).
   *
   * @param maxPerDump sockets kept per family and protocol
   */
  static SocketSnapshot take(SockDiagSocket socket, InetDiagParser parser, int maxPerDump) {
    List<SocketEntry> all = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int family : FAMILIES) {
      dump(socket, parser, family, Transport.TRANSPORT_TCP, maxPerDump, all, problems);
      dump(socket, parser, family, Transport.TRANSPORT_UDP, maxPerDump, all, problems);
    }
    return new SocketSnapshot(all, problems.isEmpty(), String.join("; ", problems));
  }

  private static void dump(
      SockDiagSocket socket,
      InetDiagParser parser,
      int family,
      Transport transport,
      int max,
      List<SocketEntry> into,
      List<String> problems) {
    String what =
        (transport == Transport.TRANSPORT_TCP ? "tcp" : "udp") + (family == 2 ? "4" : "6");
    int protocol =
        transport == Transport.TRANSPORT_TCP
            ? SockDiagSocket.IPPROTO_TCP
            : SockDiagSocket.IPPROTO_UDP;
    try {
      SockDiagSocket.Dump d = socket.dump(family, protocol, SockDiagSocket.ALL_STATES, max);
      for (byte[] m : d.messages()) {
        Optional<SocketEntry> e = parser.parse(m, transport);
        e.ifPresent(into::add);
      }
      if (d.truncated()) {
        problems.add(what + " dump truncated at " + max + " sockets");
      }
      if (d.interrupted()) {
        problems.add(what + " dump interrupted by socket table changes");
      }
    } catch (IOException e) {
      problems.add(what + ": " + e.getMessage());
    }
  }
}
