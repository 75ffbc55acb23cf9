package io.vigil.agent.packet.app;

import java.util.Map;

/**
 * Application-layer counters at one moment.
 *
 * @param connections connections analysed (those that delivered payload)
 * @param detected connections by what their own bytes carry (every analysed connection is counted
 *     once it is decided; UNKNOWN included)
 * @param detectedInTunnel tunnels by what they carry
 * @param tunnels tunnels established, by kind
 * @param tunnelsTooDeep tunnels nested past {@link AppOptions#maxTunnelDepth} (not followed)
 * @param handshakesFailed SOCKS handshakes refused, malformed, lost in a gap, or using a method or
 *     command that cannot be followed
 * @param detectionGaps times bytes held for detection were dropped because a gap followed them
 * @param undecidedAtEnd connections (or tunnels) that ended before detection decided (counted
 *     UNKNOWN too)
 * @param tlsWithoutConsumer TLS streams no consumer took (no factory, or it returned null)
 */
public record AppStats(
    long connections,
    Map<AppProtocol, Long> detected,
    Map<AppProtocol, Long> detectedInTunnel,
    Map<Tunnel.Kind, Long> tunnels,
    long tunnelsTooDeep,
    long handshakesFailed,
    long detectionGaps,
    long undecidedAtEnd,
    long tlsWithoutConsumer) {

  public AppStats {
    detected = Map.copyOf(detected);
    detectedInTunnel = Map.copyOf(detectedInTunnel);
    tunnels = Map.copyOf(tunnels);
  }
}
