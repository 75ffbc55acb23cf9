package io.vigil.common.config;

import java.util.Optional;

/**
 * The {@code metrics} section shared by the agent and the collector: where the Prometheus text
 * endpoint listens. Immutable.
 *
 * @param listen {@code metrics.listen}: address of the endpoint; empty when {@code ""} disables it
 * @param allowRemote {@code metrics.allow_remote}: whether a non-loopback {@code listen} is allowed
 */
public record MetricsSection(Optional<HostPort> listen, boolean allowRemote) {

  /**
   * Binds the section, recording a problem when {@code listen} is not a loopback address and {@code
   * allow_remote} is false (metrics reveal host activity, so exposing them is a choice).
   *
   * @param metrics the {@code metrics} node
   * @param defaultListen e.g. {@code 127.0.0.1:9464}
   */
  public static MetricsSection bind(ConfigNode metrics, String defaultListen) {
    Optional<HostPort> listen = metrics.optionalListenAddress("listen", defaultListen);
    boolean allowRemote = metrics.bool("allow_remote", false);
    if (listen.isPresent() && !listen.get().isLoopback() && !allowRemote) {
      metrics.error(
          "listen",
          "\""
              + listen.get()
              + "\" is not a loopback address; set "
              + metrics.path("allow_remote")
              + ": true to serve metrics to other hosts");
    }
    return new MetricsSection(listen, allowRemote);
  }
}
