package io.vigil.agent.config;

import io.vigil.common.config.ConfigNode;
import io.vigil.common.config.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * How the agent reaches its collector (the {@code collector} section). Immutable.
 *
 * @param address {@code collector.address}: host:port of the collector's agent stream
 * @param caFile {@code collector.ca_file}: CA certificate (PEM) that signed the collector's
 *     certificate
 * @param serverName {@code collector.server_name}: name verified in the collector's certificate;
 *     the host of {@code address} when not set
 * @param compression {@code collector.compression}: {@code gzip} or {@code none}
 * @param connectTimeout {@code collector.connect_timeout}
 * @param keepaliveTime {@code collector.keepalive_time}: idle time before a gRPC keep-alive ping
 * @param reconnectInitialBackoff {@code collector.reconnect_initial_backoff}
 * @param reconnectMaxBackoff {@code collector.reconnect_max_backoff}: at least the initial one
 */
public record CollectorConnection(
    HostPort address,
    Path caFile,
    String serverName,
    String compression,
    Duration connectTimeout,
    Duration keepaliveTime,
    Duration reconnectInitialBackoff,
    Duration reconnectMaxBackoff) {

  static final Set<String> COMPRESSIONS = Set.of("gzip", "none");

  static CollectorConnection bind(ConfigNode node) {
    HostPort address = node.hostPort("address", "127.0.0.1:7443");
    Path caFile = node.path("ca_file", "/etc/vigil/collector-ca.pem");
    String serverName = node.string("server_name", "");
    if (serverName.isEmpty()) {
      serverName = address.host();
    } else if (!HostPort.isValidHost(serverName)) {
      node.error("server_name", "expected a DNS name or IP address, got \"" + serverName + "\"");
      serverName = address.host();
    }
    String compression = node.oneOf("compression", "gzip", COMPRESSIONS);
    Duration connectTimeout =
        node.duration("connect_timeout", "10s", Duration.ofMillis(100), Duration.ofMinutes(10));
    // gRPC raises a keep-alive time below 10s to 10s; say so instead of silently differing.
    Duration keepalive =
        node.duration("keepalive_time", "30s", Duration.ofSeconds(10), Duration.ofHours(2));
    Duration initial =
        node.duration(
            "reconnect_initial_backoff", "500ms", Duration.ofMillis(10), Duration.ofMinutes(10));
    Duration max =
        node.duration("reconnect_max_backoff", "60s", Duration.ofMillis(10), Duration.ofHours(1));
    if (max.compareTo(initial) < 0) {
      node.error(
          "reconnect_max_backoff", "must be at least reconnect_initial_backoff (" + initial + ")");
    }
    return new CollectorConnection(
        address, caFile, serverName, compression, connectTimeout, keepalive, initial, max);
  }
}
