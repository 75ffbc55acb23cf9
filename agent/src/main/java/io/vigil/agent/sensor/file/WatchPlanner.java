package io.vigil.agent.sensor.file;

import io.vigil.common.text.TerminalText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the configured patterns into what the sensor needs at start: the {@link WatchPlan} for the
 * source (existing real directories, globs expanded, nested trees folded into their ancestor) and
 * the canonical patterns for the {@link PathFilter} and for binary directories. Blocks on
 * file-system reads; stateless.
 */
final class WatchPlanner {
  private static final Logger log = LoggerFactory.getLogger(WatchPlanner.class);

  /**
   * The outcome.
   *
   * @param plan what the source watches
   * @param filter what the sensor reports
   * @param binaryDirs canonical binary directories (hashes of files written there)
   * @param missing watch patterns that matched nothing (not watched until the next start)
   */
  record Planned(
      WatchPlan plan, PathFilter filter, PathPatterns binaryDirs, List<String> missing) {}

  private WatchPlanner() {}

  /** Resolves {@code options} against the file system now. */
  static Planned plan(FileSensor.Options options) {
    List<String> missing = new ArrayList<>();
    Set<Path> trees = new LinkedHashSet<>();
    Set<String> watchPatterns = new LinkedHashSet<>();
    for (String p : options.watch()) {
      List<Path> found = PatternResolver.expand(p);
      if (found.isEmpty()) {
        missing.add(p);
        log.info("file sensor: nothing exists at watched path {}; not watched", safe(p));
      }
      watchPatterns.addAll(PatternResolver.canonicalForms(p));
      for (Path f : found) {
        watchPatterns.add(f.toString()); // covers matches reached through symbolic links
        // A file is watched through its directory; the filter still reports only the file.
        Path dir = Files.isDirectory(f) ? f : f.getParent();
        if (dir != null) {
          trees.add(dir);
        }
      }
    }
    Set<String> excludePatterns = new LinkedHashSet<>();
    Set<Path> excludedTrees = new LinkedHashSet<>();
    for (String p : options.exclude()) {
      excludePatterns.addAll(PatternResolver.canonicalForms(p));
      for (Path f : PatternResolver.expand(p)) {
        excludePatterns.add(f.toString());
        excludedTrees.add(f);
      }
    }
    for (Path own : options.ownPaths()) {
      Path abs = own.toAbsolutePath().normalize();
      excludePatterns.add(abs.toString());
      excludedTrees.add(abs);
      try {
        Path real = abs.toRealPath();
        excludePatterns.add(real.toString());
        excludedTrees.add(real);
      } catch (IOException | SecurityException e) {
        // not created yet: its lexical form is what the agent will create
      }
    }
    Set<String> openedPatterns = new LinkedHashSet<>();
    Set<Path> opened = new LinkedHashSet<>();
    for (String p : options.opened()) {
      openedPatterns.addAll(PatternResolver.canonicalForms(p));
      for (Path f : PatternResolver.expand(p)) {
        openedPatterns.add(f.toString());
        opened.add(f);
      }
    }
    Set<String> binaryPatterns = new LinkedHashSet<>();
    for (String p : options.binaryDirs()) {
      binaryPatterns.addAll(PatternResolver.canonicalForms(p));
      for (Path f : PatternResolver.expand(p)) {
        binaryPatterns.add(f.toString());
      }
    }
    PathPatterns excluded = new PathPatterns(excludePatterns);
    List<Path> outermost = outermost(trees, excluded);
    WatchPlan plan =
        new WatchPlan(
            outermost, List.copyOf(opened), List.copyOf(excludedTrees), options.maxWatches());
    PathFilter filter =
        new PathFilter(new PathPatterns(watchPatterns), excluded, new PathPatterns(openedPatterns));
    return new Planned(plan, filter, new PathPatterns(binaryPatterns), List.copyOf(missing));
  }

  /**
   * The trees that are not inside another tree nor wholly excluded, in path order: a source that
   * watches a tree recursively would otherwise watch the nested one twice.
   */
  static List<Path> outermost(Collection<Path> trees, PathPatterns excluded) {
    List<Path> out = new ArrayList<>();
    for (Path t : new TreeSet<>(trees)) {
      if (excluded.covers(t.toString())) {
        continue;
      }
      if (out.stream().noneMatch(t::startsWith)) {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }

  /** A path for the log: patterns expanded from directory names are attacker-influenced. */
  static String safe(String path) {
    return TerminalText.escape(path, 256);
  }
}
