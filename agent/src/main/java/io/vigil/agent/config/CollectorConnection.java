package io.vigil.agent.config;

import io.vigil.common.config.ConfigNode;
import io.vigil.common.config.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * How the agent reaches its collector (the {@code collector} section). Immutable.
 *
 * <p>The client certificate, its key and the collector CA default to the files {@code vigil-agent
 * enroll} writes under {@code <agent.state_dir>/pki/}; the address defaults to the one the agent
 * enrolled with ({@code pki/collector-address}), read at each connection attempt, so an agent
 * started before its enrolment picks it up without a restart.
 *
 * @param address {@code collector.address}: host:port of the collector's agent stream; empty
 *     ({@code ""}, the default) for the enrolled address, else {@link #FALLBACK_ADDRESS}
 * @param addressFile where the enrolled address is kept: {@code <agent.state_dir>/pki/
 *     collector-address}
 * @param certFile {@code collector.cert_file}: the agent's client certificate chain (PEM); {@code
 *     <agent.state_dir>/pki/agent.pem} when not set
 * @param keyFile {@code collector.key_file}: its PKCS#8 private key; {@code <agent.state_dir>/pki/
 *     agent.key} when not set
 * @param caFile {@code collector.ca_file}: CA certificate (PEM) the collector's certificate must
 *     chain to; {@code <agent.state_dir>/pki/ca.pem} when not set
 * @param serverName {@code collector.server_name}: name verified in the collector's certificate;
 *     empty for the host of the address in use
 * @param compression {@code collector.compression}: {@code gzip} or {@code none}
 * @param connectTimeout {@code collector.connect_timeout}
 * @param keepaliveTime {@code collector.keepalive_time}: idle time before a gRPC keep-alive ping
 * @param reconnectInitialBackoff {@code collector.reconnect_initial_backoff}
 * @param reconnectMaxBackoff {@code collector.reconnect_max_backoff}: at least the initial one
 */
public record CollectorConnection(
    Optional<HostPort> address,
    Path addressFile,
    Path certFile,
    Path keyFile,
    Path caFile,
    String serverName,
    String compression,
    Duration connectTimeout,
    Duration keepaliveTime,
    Duration reconnectInitialBackoff,
    Duration reconnectMaxBackoff) {

  /** Used when the config sets no address and the agent has not enrolled. */
  public static final HostPort FALLBACK_ADDRESS = new HostPort("127.0.0.1", 7443);

  /** Directory under {@code agent.state_dir} that holds the enrolment files. */
  public static final String PKI_DIR = "pki";

  static final Set<String> COMPRESSIONS = Set.of("gzip", "none");

  static CollectorConnection bind(ConfigNode node, Path stateDir) {
    String addressText = node.string("address", "");
    Optional<HostPort> address = Optional.empty();
    if (!addressText.isBlank()) {
      try {
        HostPort hp = HostPort.parse(addressText.trim());
        if (hp.port() == 0) {
          throw new IllegalArgumentException("port 0");
        }
        address = Optional.of(hp);
      } catch (IllegalArgumentException e) {
        node.error(
            "address",
            "expected a host:port like 127.0.0.1:7443, or \"\" for the enrolled address; got \""
                + addressText
                + "\"");
      }
    }
    Path pki = stateDir.resolve(PKI_DIR);
    Path certFile = node.optionalPath("cert_file").orElse(pki.resolve("agent.pem"));
    Path keyFile = node.optionalPath("key_file").orElse(pki.resolve("agent.key"));
    Path caFile = node.optionalPath("ca_file").orElse(pki.resolve("ca.pem"));
    String serverName = node.string("server_name", "");
    if (!serverName.isEmpty() && !HostPort.isValidHost(serverName)) {
      node.error("server_name", "expected a DNS name or IP address, got \"" + serverName + "\"");
      serverName = "";
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
        address,
        pki.resolve("collector-address"),
        certFile,
        keyFile,
        caFile,
        serverName,
        compression,
        connectTimeout,
        keepalive,
        initial,
        max);
  }
}
