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
  private final List<String> captureInterfaces;

  public SensorsYaml() {
    this("30s", "1s", List.of());
  }

  private SensorsYaml(
      String snapshotInterval, String pollInterval, List<String> captureInterfaces) {
    this.snapshotInterval = snapshotInterval;
    this.pollInterval = pollInterval;
    this.captureInterfaces = List.copyOf(captureInterfaces);
  }

  /** The network sensor's sock_diag snapshot interval, e.g. "2s". */
  public SensorsYaml withSnapshotInterval(String interval) {
    return new SensorsYaml(interval, pollInterval, captureInterfaces);
  }

  /** The process sensor's /proc polling interval when it runs without privileges. */
  public SensorsYaml withPollInterval(String interval) {
    return new SensorsYaml(snapshotInterval, interval, captureInterfaces);
  }

  /** The packet sensor on, capturing these interfaces ({@code netns:NAME/IFACE} allowed). */
  public SensorsYaml withPacketCapture(String... interfaces) {
    return new SensorsYaml(snapshotInterval, pollInterval, List.of(interfaces));
  }

  /** The YAML lines, starting with {@code sensors:}. */
  public List<String> lines() {
    List<String> lines = new java.util.ArrayList<>(base());
    if (!captureInterfaces.isEmpty()) {
      lines.add("  packet:");
      lines.add("    enabled: true");
      lines.add("    interfaces: [" + String.join(", ", captureInterfaces) + "]");
    }
    return lines;
  }

  private List<String> base() {
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
