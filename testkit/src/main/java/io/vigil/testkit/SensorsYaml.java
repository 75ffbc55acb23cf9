package io.vigil.testkit;

import java.util.List;

/**
 * The {@code sensors:} section for an agent with the real process and network sensors and the
 * synthetic sensor off. Audit rules carry {@link #TEST_AUDIT_KEY}, so that {@link AuditRules} can
 * find and remove what a killed test run left in the kernel. The file sensor and integrity
 * monitoring are off unless a test turns them on with its own trees: their server defaults watch
 * and hash system directories, which would slow every test agent's start and mix the host's file
 * activity into tests that are not about it. Immutable.
 */
public final class SensorsYaml {
  /** The audit key every kernel test's agent uses; it starts with {@link AuditRules#PREFIX}. */
  public static final String TEST_AUDIT_KEY = "vigil-test-e2e";

  private final String snapshotInterval;
  private final String pollInterval;
  private final List<String> captureInterfaces;
  private final List<String> file;
  private final List<String> fim;
  private final String auditKey;

  public SensorsYaml() {
    this(
        "30s",
        "1s",
        List.of(),
        List.of("enabled: false"),
        List.of("enabled: false"),
        TEST_AUDIT_KEY);
  }

  private SensorsYaml(
      String snapshotInterval,
      String pollInterval,
      List<String> captureInterfaces,
      List<String> file,
      List<String> fim,
      String auditKey) {
    this.auditKey = auditKey;
    this.snapshotInterval = snapshotInterval;
    this.pollInterval = pollInterval;
    this.captureInterfaces = List.copyOf(captureInterfaces);
    this.file = List.copyOf(file);
    this.fim = List.copyOf(fim);
  }

  /** The network sensor's sock_diag snapshot interval, e.g. "2s". */
  public SensorsYaml withSnapshotInterval(String interval) {
    return new SensorsYaml(interval, pollInterval, captureInterfaces, file, fim, auditKey);
  }

  /** The process sensor's /proc polling interval when it runs without privileges. */
  public SensorsYaml withPollInterval(String interval) {
    return new SensorsYaml(snapshotInterval, interval, captureInterfaces, file, fim, auditKey);
  }

  /** The packet sensor on, capturing these interfaces ({@code netns:NAME/IFACE} allowed). */
  public SensorsYaml withPacketCapture(String... interfaces) {
    return new SensorsYaml(
        snapshotInterval, pollInterval, List.of(interfaces), file, fim, auditKey);
  }

  /**
   * The file sensor with these keys under {@code sensors.file} (e.g. {@code "watch: [/tmp/x]"}),
   * each line one key; {@code enabled: true} is implied.
   */
  public SensorsYaml withFileSensor(String... keys) {
    return new SensorsYaml(
        snapshotInterval, pollInterval, captureInterfaces, enabled(keys), fim, auditKey);
  }

  /**
   * Integrity monitoring with these keys under {@code sensors.fim}; {@code enabled: true} implied.
   */
  public SensorsYaml withFim(String... keys) {
    return new SensorsYaml(
        snapshotInterval, pollInterval, captureInterfaces, file, enabled(keys), auditKey);
  }

  private static List<String> enabled(String... keys) {
    List<String> out = new java.util.ArrayList<>(List.of("enabled: true"));
    out.addAll(List.of(keys));
    return out;
  }

  /**
   * Another audit key (it must start with {@link AuditRules#PREFIX}), for a test that deletes its
   * agent's rules by hand without touching other tests' agents.
   */
  public SensorsYaml withAuditKey(String key) {
    if (!key.startsWith(AuditRules.PREFIX)) {
      throw new IllegalArgumentException(key + " does not start with " + AuditRules.PREFIX);
    }
    return new SensorsYaml(snapshotInterval, pollInterval, captureInterfaces, file, fim, key);
  }

  /** The YAML lines, starting with {@code sensors:}. */
  public List<String> lines() {
    List<String> lines = new java.util.ArrayList<>(base());
    if (!captureInterfaces.isEmpty()) {
      lines.add("  packet:");
      lines.add("    enabled: true");
      lines.add("    interfaces: [" + String.join(", ", captureInterfaces) + "]");
    }
    lines.add("  file:");
    file.forEach(k -> lines.add("    " + k));
    lines.add("  fim:");
    fim.forEach(k -> lines.add("    " + k));
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
        "    audit_key: " + auditKey,
        "    audit_backlog_limit: 8192",
        "    max_argv_bytes: 32KiB",
        "    poll_interval: " + pollInterval,
        "  network:",
        "    enabled: true",
        "    snapshot_interval: " + snapshotInterval,
        "    audit: true");
  }
}
