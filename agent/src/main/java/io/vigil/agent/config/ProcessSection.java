package io.vigil.agent.config;

import io.vigil.agent.sensor.process.ProcessSensorOptions;
import io.vigil.common.config.ConfigNode;
import java.time.Duration;
import java.util.Set;

/**
 * The process sensor ({@code sensors.process}). Immutable.
 *
 * @param enabled {@code sensors.process.enabled}
 * @param audit {@code sensors.process.audit}: {@code auto} uses the kernel audit subsystem when it
 *     can (daemon slot or multicast), {@code off} never touches it
 * @param auditKey {@code sensors.process.audit_key}: the key on Vigil's audit rules; at start,
 *     rules with this key that Vigil does not want are removed and missing ones added; at stop all
 *     rules with this key are removed
 * @param auditBacklogLimit {@code sensors.process.audit_backlog_limit}: kernel audit backlog Vigil
 *     raises the limit to while it runs (daemon or multicast), unless it is already higher
 * @param auditCheckInterval {@code sensors.process.audit_check_interval}: how often the agent
 *     checks that its audit rules, auditing switched on and the daemon slot it took are still in
 *     place, puts back what somebody else undid and reports it as a tamper notice
 * @param maxArgvBytes {@code sensors.process.max_argv_bytes}: bytes of arguments kept per exec
 * @param hashMaxFileBytes {@code sensors.process.hash_max_file_bytes}: larger executables are not
 *     hashed
 * @param tableMaxEntries {@code sensors.process.table_max_entries}: processes remembered
 * @param exitSettle {@code sensors.process.exit_settle}: delay before an exit is emitted, so the
 *     exec's audit record lands first
 * @param pollInterval {@code sensors.process.poll_interval}: {@code /proc} polling period when the
 *     proc connector is unavailable
 */
public record ProcessSection(
    boolean enabled,
    AuditMode audit,
    String auditKey,
    int auditBacklogLimit,
    Duration auditCheckInterval,
    int maxArgvBytes,
    long hashMaxFileBytes,
    int tableMaxEntries,
    Duration exitSettle,
    Duration pollInterval) {

  /** Whether the process sensor may use the audit subsystem. */
  public enum AuditMode {
    AUTO,
    OFF
  }

  /** The sensor's options from this section. */
  public ProcessSensorOptions sensorOptions() {
    return new ProcessSensorOptions(
        maxArgvBytes,
        hashMaxFileBytes,
        tableMaxEntries,
        exitSettle,
        pollInterval,
        audit == AuditMode.AUTO);
  }

  static ProcessSection bind(ConfigNode node) {
    boolean enabled = node.bool("enabled", true);
    String mode = node.oneOf("audit", "auto", Set.of("auto", "off"));
    String key = node.string("audit_key", "vigil");
    // auditctl accepts keys up to 31 bytes; keep it to characters that need no quoting.
    if (!key.matches("[A-Za-z0-9_.-]{1,31}")) {
      node.error("audit_key", "expected 1 to 31 of A-Z a-z 0-9 _ . -, got \"" + key + "\"");
      key = "vigil";
    }
    int backlog = node.intValue("audit_backlog_limit", 8192, 64, 1 << 20);
    Duration check =
        node.duration("audit_check_interval", "15s", Duration.ofSeconds(1), Duration.ofMinutes(10));
    int maxArgv = (int) node.bytes("max_argv_bytes", "32KiB", 1024, 16L << 20);
    long hashMax = node.bytes("hash_max_file_bytes", "64MiB", 0, 16L << 30);
    int tableMax = node.intValue("table_max_entries", 16384, 1024, 4 << 20);
    Duration settle = node.duration("exit_settle", "1s", Duration.ZERO, Duration.ofSeconds(60));
    Duration poll =
        node.duration("poll_interval", "1s", Duration.ofMillis(100), Duration.ofMinutes(10));
    return new ProcessSection(
        enabled,
        "off".equals(mode) ? AuditMode.OFF : AuditMode.AUTO,
        key,
        backlog,
        check,
        maxArgv,
        hashMax,
        tableMax,
        settle,
        poll);
  }
}
