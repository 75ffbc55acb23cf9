package io.vigil.agent.sensor.file;

import java.nio.file.Path;
import java.util.List;

/**
 * What a {@link NotificationSource} is asked to watch, already expanded (globs resolved, symbolic
 * links followed, missing trees left out) by the sensor.
 *
 * @param trees absolute, real directory paths whose whole subtree is watched for create, modify,
 *     delete, rename and attribute changes
 * @param opened absolute, real paths of files (or directories, meaning their direct entries) whose
 *     opens are reported ({@link FileOps#OPEN}); a subset of what {@code trees} covers or not
 * @param excluded subtrees that need not be watched at all (the agent's own state and spool, and
 *     configured exclusions that are whole trees); sources may use it to avoid work, the sensor
 *     filters again anyway
 * @param maxWatches for sources that watch per directory (inotify): at most this many; the rest are
 *     left unwatched and counted
 */
public record WatchPlan(List<Path> trees, List<Path> opened, List<Path> excluded, int maxWatches) {
  public WatchPlan {
    trees = List.copyOf(trees);
    opened = List.copyOf(opened);
    excluded = List.copyOf(excluded);
  }
}
