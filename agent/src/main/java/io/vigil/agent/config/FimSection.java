package io.vigil.agent.config;

import io.vigil.agent.sensor.fim.IntegritySensor;
import io.vigil.common.config.ConfigNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * File integrity monitoring ({@code sensors.fim}). Immutable.
 *
 * @param enabled {@code sensors.fim.enabled}
 * @param paths {@code sensors.fim.paths}: absolute path patterns monitored with everything beneath;
 *     {@code *} and {@code ?} match within one component ({@code /home/*}{@code /.ssh})
 * @param exclude {@code sensors.fim.exclude}: patterns left out (files rewritten by the system in
 *     normal operation)
 * @param rescanInterval {@code sensors.fim.rescan_interval}: time between full scans, which catch
 *     what the real-time stream missed
 * @param maxFileBytes {@code sensors.fim.max_file_bytes}: larger files are hashed over their first
 *     this many bytes
 * @param maxFiles {@code sensors.fim.max_files}: paths monitored at most, each pattern guaranteed
 *     half an equal share of them (so that one flooded pattern cannot starve the others)
 * @param hashRate {@code sensors.fim.hash_rate}: content bytes read per second at most, 0 for no
 *     limit
 */
public record FimSection(
    boolean enabled,
    List<String> paths,
    List<String> exclude,
    Duration rescanInterval,
    long maxFileBytes,
    int maxFiles,
    long hashRate) {

  /** Where persistence, privilege changes and server software live. */
  static final List<String> DEFAULT_PATHS =
      List.of(
          "/etc",
          "/usr/bin",
          "/usr/sbin",
          "/usr/local/bin",
          "/usr/local/sbin",
          "/usr/lib/systemd/system",
          "/etc/systemd",
          "/boot",
          "/root/.ssh",
          "/home/*/.ssh",
          "/var/spool/cron");

  /** Rewritten by the system itself. */
  static final List<String> DEFAULT_EXCLUDE =
      List.of("/etc/mtab", "/etc/adjtime", "/etc/ld.so.cache");

  /** Most patterns accepted per list, as for {@code sensors.file}: each is matched per path. */
  static final int MAX_PATTERNS = 256;

  /** Longest pattern accepted (PATH_MAX). */
  static final int MAX_PATTERN_CHARS = 4096;

  /** Smallest non-zero hash rate: slower would make a scan of {@code /usr/bin} take hours. */
  static final long MIN_HASH_RATE = 1L << 20;

  public FimSection {
    paths = List.copyOf(paths);
    exclude = List.copyOf(exclude);
  }

  /**
   * The sensor's options, keeping the baseline in {@code stateDir} (the agent's state dir) and
   * leaving out {@code spoolDir} (the agent's event spool, rewritten all the time).
   */
  public IntegritySensor.Options sensorOptions(Path stateDir, Path spoolDir) {
    return new IntegritySensor.Options(
        paths,
        exclude,
        rescanInterval,
        maxFileBytes,
        maxFiles,
        hashRate,
        stateDir,
        IntegritySensor.Options.DEFAULT_ENTRIES_PER_PART,
        IntegritySensor.Options.DEFAULT_RECHECK_DELAY,
        List.of(spoolDir));
  }

  static FimSection bind(ConfigNode node) {
    boolean enabled = node.bool("enabled", true);
    List<String> paths = patterns(node, "paths", DEFAULT_PATHS);
    if (paths.isEmpty()) {
      node.error("paths", "expected at least one path (or set enabled: false)");
      paths = DEFAULT_PATHS;
    }
    List<String> exclude = patterns(node, "exclude", DEFAULT_EXCLUDE);
    Duration rescan =
        node.duration("rescan_interval", "1h", Duration.ofSeconds(1), Duration.ofDays(7));
    long maxFileBytes = node.bytes("max_file_bytes", "64MiB", 1024, 16L << 30);
    int maxFiles = node.intValue("max_files", 50_000, 1, 10_000_000);
    long hashRate = node.bytes("hash_rate", "64MiB", 0, 100L << 30);
    if (hashRate != 0 && hashRate < MIN_HASH_RATE) {
      node.error("hash_rate", "expected 0 (no limit) or at least 1MiB per second");
      hashRate = 64L << 20;
    }
    return new FimSection(enabled, paths, exclude, rescan, maxFileBytes, maxFiles, hashRate);
  }

  /** A list of patterns; each bad one is reported, and the default used instead. */
  private static List<String> patterns(ConfigNode node, String key, List<String> def) {
    List<String> raw = node.stringList(key, def);
    if (raw.size() > MAX_PATTERNS) {
      node.error(key, "at most " + MAX_PATTERNS + " paths, got " + raw.size());
      return def;
    }
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      problem(raw.get(i)).ifPresent(p -> problems.add(p));
    }
    if (raw.size() != new LinkedHashSet<>(raw).size()) {
      problems.add("a path is listed twice: " + raw);
    }
    for (String p : problems) {
      node.error(key, p);
    }
    return problems.isEmpty() ? raw : def;
  }

  /** The pattern for a message: shortened, control characters escaped. */
  private static String quote(String p) {
    StringBuilder b = new StringBuilder("\"");
    String shown = p.length() > 80 ? p.substring(0, 80) : p;
    for (char c : shown.toCharArray()) {
      b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return b.append(shown.length() < p.length() ? "...\"" : "\"").toString();
  }

  /** What is wrong with one pattern, if anything. */
  static Optional<String> problem(String p) {
    String quoted = quote(p);
    if (p.length() > MAX_PATTERN_CHARS) {
      return Optional.of("a path of at most " + MAX_PATTERN_CHARS + " characters, got " + quoted);
    }
    if (!p.startsWith("/")) {
      return Optional.of("expected an absolute path, got " + quoted);
    }
    if (p.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return Optional.of("control characters are not allowed in a path, got " + quoted);
    }
    if (p.length() > 1 && p.endsWith("/")) {
      return Optional.of("expected no trailing /, got " + quoted);
    }
    for (String c : p.substring(1).split("/", -1)) {
      if (p.length() > 1 && c.isEmpty()) {
        return Optional.of("expected no empty component (//), got " + quoted);
      }
      if (c.equals(".") || c.equals("..")) {
        return Optional.of("expected no . or .. component, got " + quoted);
      }
    }
    return Optional.empty();
  }
}
