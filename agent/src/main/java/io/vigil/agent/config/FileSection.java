package io.vigil.agent.config;

import io.vigil.agent.sensor.file.FileSensor;
import io.vigil.agent.sensor.file.PathGlob;
import io.vigil.common.config.ConfigNode;
import io.vigil.common.text.TerminalText;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The file sensor ({@code sensors.file}): file telemetry from fanotify (inotify as the fallback),
 * coalesced and rate-limited, with hashes of new executables. Path lists hold absolute paths whose
 * components may use {@code *} and {@code ?} (within one component); each covers its subtree.
 * Immutable.
 *
 * @param enabled {@code sensors.file.enabled}
 * @param fanotify {@code sensors.file.fanotify}: use fanotify (with the acting process); false
 *     forces the inotify fallback (no process), and the sensor's status says so
 * @param watch {@code sensors.file.watch}: trees whose changes are reported
 * @param exclude {@code sensors.file.exclude}: trees never reported
 * @param opened {@code sensors.file.opened}: paths whose opens are reported (credential stores)
 * @param coalesceWindow {@code sensors.file.coalesce_window}: repeated changes of one file by one
 *     process within it are one event with a count
 * @param maxEventsPerSecond {@code sensors.file.max_events_per_second}: global rate (and burst);
 *     beyond it events are dropped, counted and reported as a Gap
 * @param maxEventsPerPathPerWindow {@code sensors.file.max_events_per_path_per_window}
 * @param queueCapacity {@code sensors.file.queue_capacity}: coalesced events queued in the sensor
 *     between its reader and its processor (a full queue drops, counts and reports them)
 * @param maxPendingPaths {@code sensors.file.max_pending_paths}: changes held for coalescing
 * @param hashExecutables {@code sensors.file.hash_executables}: MD5, SHA-1 and SHA-256 of new
 *     executables and of files written into binary directories
 * @param hashMaxBytes {@code sensors.file.hash_max_bytes}: larger files are not hashed
 * @param binaryDirs {@code sensors.file.binary_dirs}: files written here are hashed
 * @param maxWatches {@code sensors.file.max_watches}: inotify only, most directories watched
 */
public record FileSection(
    boolean enabled,
    boolean fanotify,
    List<String> watch,
    List<String> exclude,
    List<String> opened,
    Duration coalesceWindow,
    int maxEventsPerSecond,
    int maxEventsPerPathPerWindow,
    int queueCapacity,
    int maxPendingPaths,
    boolean hashExecutables,
    long hashMaxBytes,
    List<String> binaryDirs,
    int maxWatches) {

  /** Most patterns in one list. */
  static final int MAX_PATTERNS = 256;

  public FileSection {
    watch = List.copyOf(watch);
    exclude = List.copyOf(exclude);
    opened = List.copyOf(opened);
    binaryDirs = List.copyOf(binaryDirs);
  }

  /**
   * The sensor's options.
   *
   * @param ownPaths the agent's own directories (state dir, spool dir): never reported
   */
  public FileSensor.Options sensorOptions(List<Path> ownPaths) {
    return new FileSensor.Options(
        watch,
        exclude,
        opened,
        ownPaths,
        coalesceWindow,
        maxEventsPerSecond,
        maxEventsPerPathPerWindow,
        queueCapacity,
        maxPendingPaths,
        hashExecutables,
        hashMaxBytes,
        binaryDirs,
        maxWatches);
  }

  static FileSection bind(ConfigNode node) {
    boolean enabled = node.bool("enabled", true);
    boolean fanotify = node.bool("fanotify", true);
    List<String> watch = patterns(node, "watch", FileSensor.Options.DEFAULT_WATCH, true);
    List<String> exclude = patterns(node, "exclude", FileSensor.Options.DEFAULT_EXCLUDE, false);
    List<String> opened = patterns(node, "opened", FileSensor.Options.DEFAULT_OPENED, false);
    Duration window =
        node.duration("coalesce_window", "1s", Duration.ofMillis(100), Duration.ofMinutes(1));
    int perSecond = node.intValue("max_events_per_second", 20_000, 1, 1_000_000);
    int perPath = node.intValue("max_events_per_path_per_window", 10, 1, 100_000);
    int queue = node.intValue("queue_capacity", 65_536, 1, 4_194_304);
    int pending = node.intValue("max_pending_paths", 16_384, 16, 1_048_576);
    boolean hash = node.bool("hash_executables", true);
    long hashMax = node.bytes("hash_max_bytes", "64MiB", 1L << 10, 4L << 30);
    List<String> binaryDirs =
        patterns(node, "binary_dirs", FileSensor.Options.DEFAULT_BINARY_DIRS, false);
    int maxWatches = node.intValue("max_watches", 65_536, 1, 1_048_576);
    return new FileSection(
        enabled,
        fanotify,
        watch,
        exclude,
        opened,
        window,
        perSecond,
        perPath,
        queue,
        pending,
        hash,
        hashMax,
        binaryDirs,
        maxWatches);
  }

  /**
   * A list of path patterns, normalized ({@link PathGlob#normalize}); on any bad item the problem
   * is recorded at the key and the default is used.
   */
  private static List<String> patterns(
      ConfigNode node, String key, List<String> def, boolean nonEmpty) {
    List<String> raw = node.stringList(key, def);
    if (raw.size() > MAX_PATTERNS) {
      node.error(key, "at most " + MAX_PATTERNS + " paths, got " + raw.size());
      return def;
    }
    if (nonEmpty && raw.isEmpty()) {
      node.error(key, "expected at least one path (disable the sensor with enabled: false)");
      return def;
    }
    List<String> out = new ArrayList<>(raw.size());
    for (String p : raw) {
      try {
        out.add(PathGlob.normalize(p));
      } catch (IllegalArgumentException e) {
        node.error(key, e.getMessage() + ", got " + quote(p));
        return def;
      }
    }
    return List.copyOf(out);
  }

  /** The item as the operator wrote it, bounded and with control characters escaped. */
  private static String quote(String s) {
    return "\"" + TerminalText.escape(s, 200) + "\"";
  }
}
