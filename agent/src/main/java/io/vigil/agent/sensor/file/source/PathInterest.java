package io.vigil.agent.sensor.file.source;

import io.vigil.agent.sensor.file.WatchPlan;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which paths of a {@link WatchPlan} a source hands on: those inside a tree or opened (a listed
 * file, or an entry of a listed directory), and not inside an excluded subtree. Decided per
 * directory first ({@link #dir}) so that a source seeing a whole filesystem can cache the answer
 * per directory and drop most notifications without looking at the name. Immutable; paths are the
 * escaped text of {@link PathText}.
 */
final class PathInterest {
  /** What a directory's entries are. */
  enum Interest {
    /** Every entry is of interest. */
    ALL,
    /** Some may be: ask {@link #entry}. */
    SOME,
    /** None is. */
    NONE
  }

  private final List<String> trees = new ArrayList<>();
  private final List<String> excluded = new ArrayList<>();
  private final Set<String> openedFiles = new HashSet<>();
  private final Set<String> openedDirs = new HashSet<>();
  // Directories holding an entry whose interest differs from the directory's own.
  private final Set<String> mixed = new HashSet<>();

  PathInterest(WatchPlan plan) {
    this(
        plan.trees().stream().map(PathText::of).toList(),
        plan.excluded().stream().map(PathText::of).toList(),
        plan.opened().stream().filter(p -> !Files.isDirectory(p)).map(PathText::of).toList(),
        plan.opened().stream().filter(Files::isDirectory).map(PathText::of).toList());
  }

  PathInterest(
      List<String> trees,
      List<String> excluded,
      List<String> openedFiles,
      List<String> openedDirs) {
    this.trees.addAll(trees);
    this.excluded.addAll(excluded);
    this.openedFiles.addAll(openedFiles);
    this.openedDirs.addAll(openedDirs);
    for (String t : trees) {
      mixed.add(PathText.parent(t));
    }
    for (String x : excluded) {
      mixed.add(PathText.parent(x));
    }
    for (String f : openedFiles) {
      mixed.add(PathText.parent(f));
    }
    mixed.addAll(openedDirs);
  }

  /** The interest of the entries of directory {@code dir}. */
  Interest dir(String dir) {
    if (anyUnder(dir, excluded)) {
      return Interest.NONE;
    }
    if (mixed.contains(dir)) {
      return Interest.SOME;
    }
    return anyUnder(dir, trees) ? Interest.ALL : Interest.NONE;
  }

  /** Whether {@code path}, an entry of {@code dir} (or {@code dir} itself), is of interest. */
  boolean entry(String path, String dir) {
    if (anyUnder(path, excluded)) {
      return false;
    }
    return anyUnder(path, trees) || openedFiles.contains(path) || openedDirs.contains(dir);
  }

  /** Whether {@code path} is listed as an opened file. */
  boolean openedFile(String path) {
    return openedFiles.contains(path);
  }

  /** Whether {@code path} is inside an excluded subtree. */
  boolean excluded(String path) {
    return anyUnder(path, excluded);
  }

  private static boolean anyUnder(String path, List<String> roots) {
    for (String r : roots) {
      if (PathText.under(path, r)) {
        return true;
      }
    }
    return false;
  }
}
