package io.vigil.agent.config;

import io.vigil.common.config.ConfigNode;
import java.time.Duration;

/**
 * The connection sensor ({@code sensors.network}). Immutable.
 *
 * @param enabled {@code sensors.network.enabled}
 * @param snapshotInterval {@code sensors.network.snapshot_interval}: how often all sockets are
 *     listed (sock_diag) to find listeners and connections the real-time source missed
 * @param audit {@code sensors.network.audit}: report connect/accept in real time through audit
 *     rules (needs the process sensor's audit feed)
 */
public record NetworkSection(boolean enabled, Duration snapshotInterval, boolean audit) {

  static NetworkSection bind(ConfigNode node) {
    boolean enabled = node.bool("enabled", true);
    Duration snapshot =
        node.duration("snapshot_interval", "30s", Duration.ofSeconds(1), Duration.ofHours(24));
    boolean audit = node.bool("audit", true);
    return new NetworkSection(enabled, snapshot, audit);
  }
}
