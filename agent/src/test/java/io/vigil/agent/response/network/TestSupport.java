package io.vigil.agent.response.network;

import io.vigil.agent.config.CollectorConnection;
import io.vigil.agent.config.IsolationException;
import io.vigil.agent.config.ResponseSection;
import io.vigil.agent.ship.ChannelHolder;
import io.vigil.common.config.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Config and a channel holder aimed at a literal collector address, for the tests here. */
final class TestSupport {
  private TestSupport() {}

  static ResponseSection response(boolean enabled, Duration verify, String... allow) {
    return response("vigil", enabled, verify, allow);
  }

  /** With another table name ({@code response.table}). */
  static ResponseSection response(String table, boolean enabled, Duration verify, String... allow) {
    return new ResponseSection(
        enabled,
        Path.of("/usr/sbin/nft"),
        table,
        java.util.Arrays.stream(allow).map(IsolationException::parse).toList(),
        verify,
        Path.of("/nonexistent/vault"),
        List.of(),
        1 << 20);
  }

  /** Plaintext (no certificate needed): the containment only resolves and pins through it. */
  static ChannelHolder channels(String host, int port, Path dir) {
    return new ChannelHolder(
        new CollectorConnection(
            Optional.of(new HostPort(host, port)),
            dir.resolve("collector-address"),
            dir.resolve("agent.pem"),
            dir.resolve("agent.key"),
            dir.resolve("ca.pem"),
            "",
            "none",
            Duration.ofSeconds(2),
            Duration.ofSeconds(30),
            Duration.ofMillis(100),
            Duration.ofSeconds(1)),
        true);
  }
}
