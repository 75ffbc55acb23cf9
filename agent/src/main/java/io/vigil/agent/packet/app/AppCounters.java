package io.vigil.agent.packet.app;

import java.util.EnumMap;
import java.util.Map;

/**
 * Running counters of application-layer analysis, shared by the analyzers of one factory (plain
 * fields, one thread). {@link #snapshot} copies them out.
 */
final class AppCounters {
  long connections;
  final long[] detected = new long[AppProtocol.values().length];
  final long[] detectedInTunnel = new long[AppProtocol.values().length];
  final long[] tunnels = new long[Tunnel.Kind.values().length];
  long tunnelsTooDeep;
  long handshakesFailed;
  long detectionGaps;
  long undecidedAtEnd;
  long tlsWithoutConsumer;

  AppStats snapshot() {
    return new AppStats(
        connections,
        map(AppProtocol.class, detected),
        map(AppProtocol.class, detectedInTunnel),
        map(Tunnel.Kind.class, tunnels),
        tunnelsTooDeep,
        handshakesFailed,
        detectionGaps,
        undecidedAtEnd,
        tlsWithoutConsumer);
  }

  private static <E extends Enum<E>> Map<E, Long> map(Class<E> type, long[] counts) {
    Map<E, Long> m = new EnumMap<>(type);
    for (E e : type.getEnumConstants()) {
      m.put(e, counts[e.ordinal()]);
    }
    return m;
  }
}
