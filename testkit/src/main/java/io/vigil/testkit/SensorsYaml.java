package io.vigil.testkit;

import java.util.List;

/**
 * The {@code sensors:} section for an agent with the real process and network sensors and the
 * synthetic sensor off. Audit rules carry {@link #TEST_AUDIT_KEY}, so that {@link AuditRules} can
 * find and remove what a killed test run left in the kernel. Immutable.
 */
public final class SensorsYaml {
  /** The audit key every kernel test's agent uses; it starts with {@link AuditRules#PREFIX}. */
  public static final String TEST_AUDIT_KEY = "vigil-test-e2e";

  private final String snapshotInterval;
  private final String pollInterval;

  public SensorsYaml() {
    this("30s", "1s");
  }

  private SensorsYaml(String snapshotInterval, String pollInterval) {
    this.snapshotInterval = snapshotInterval;
    this.pollInterval = pollInterval;
  }

  /** The network sensor's sock_diag snapshot interval, e.g. "2s". */
  public SensorsYaml withSnapshotInterval(String interval) {
    return new SensorsYaml(interval, pollInterval);
  }

  /** The process sensor's /proc polling interval when it runs without privileges. */
  public SensorsYaml withPollInterval(String interval) {
    return new SensorsYaml(snapshotInterval, interval);
  }

  /** The YAML lines, starting with {@code sensors:}. */
  public List<String> lines() {
    return List.of(
        "sensors:",
        "  synthetic:",
        "    enabled: false",
        "  process:",
        "    enabled: true",
        "    audit: auto",
        "    audit_key: " + TEST_AUDIT_KEY,
        "    audit_backlog_limit: 8192",
        "    max_argv_bytes: 32KiB",
        "    poll_interval: " + pollInterval,
        "  network:",
        "    enabled: true",
        "    snapshot_interval: " + snapshotInterval,
        "    audit: true");
  }
}
