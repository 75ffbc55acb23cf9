package io.vigil.agent.sensor.fim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which paths integrity monitoring covers: the configured patterns, each also in its resolved form
 * ({@link PathPattern#resolved}), minus the exclusions (which always win, also over a more specific
 * include beneath them) and minus the agent's own state directory (the baseline file changes with
 * every save). Immutable and thread-safe; compiled anew before each scan because resolving follows
 * the filesystem as it is then.
 */
final class FimScope {
  /** Where a path stands. */
  enum Reach {
    /** Monitored: its state is part of the baseline. */
    IN,
    /** Not monitored itself, but a directory on the way to monitored paths (e.g. {@code /home}). */
    PARTIAL,
    /** Neither. */
    OUT
  }

  private final List<PathPattern> includes;
  private final int[] owners; // per include: the index of the configured pattern it comes from
  private final List<String> patterns;
  private final List<PathPattern> excludes;

  private FimScope(
      List<PathPattern> includes, int[] owners, List<String> patterns, List<PathPattern> excludes) {
    this.includes = List.copyOf(includes);
    this.owners = owners;
    this.patterns = List.copyOf(patterns);
    this.excludes = List.copyOf(excludes);
  }

  /**
   * Compiles the configured patterns, resolving their literal prefixes now. Blocks on the
   * filesystem.
   *
   * @param paths patterns to monitor
   * @param excludes patterns to leave out
   * @param ownFiles paths that are always left out (the agent's state directory), as literals
   */
  static FimScope compile(List<String> paths, List<String> excludes, List<Path> ownFiles) {
    List<PathPattern> ex = new ArrayList<>();
    for (String e : excludes) {
      addBoth(ex, PathPattern.parse(e));
    }
    for (Path own : ownFiles) {
      addBoth(ex, PathPattern.literal(own.toAbsolutePath().normalize()));
    }
    List<PathPattern> in = new ArrayList<>();
    List<Integer> owners = new ArrayList<>();
    for (int i = 0; i < paths.size(); i++) {
      int added = addBoth(in, PathPattern.parse(paths.get(i)));
      for (int j = 0; j < added; j++) {
        owners.add(i);
      }
    }
    return new FimScope(in, owners.stream().mapToInt(Integer::intValue).toArray(), paths, ex);
  }

  /** Adds {@code p} and its resolved form, each unless already there; returns how many. */
  private static int addBoth(List<PathPattern> out, PathPattern p) {
    Set<String> seen = new LinkedHashSet<>();
    out.forEach(x -> seen.add(x.text()));
    int added = 0;
    for (PathPattern x : List.of(p, p.resolved())) {
      if (seen.add(x.text())) {
        out.add(x);
        added++;
      }
    }
    return added;
  }

  /** The configured patterns, in configured order; {@link #owner} indexes them. */
  List<String> patterns() {
    return patterns;
  }

  /**
   * The index in {@link #patterns} of the first configured pattern that makes {@code path} {@link
   * Reach#IN}, or -1 when it is not monitored; a path's share of {@code max_files} is its owner's.
   */
  int owner(String path) {
    String[] c = PathPattern.components(path);
    int owner = -1;
    for (int i = 0; i < includes.size(); i++) {
      if (includes.get(i).match(c) == PathPattern.Match.FULL) {
        owner = owners[i];
        break;
      }
    }
    if (owner < 0) {
      return -1;
    }
    for (PathPattern e : excludes) {
      if (e.match(c) == PathPattern.Match.FULL) {
        return -1;
      }
    }
    return owner;
  }

  /** Where {@code path} (absolute, as the kernel or a directory listing gives it) stands. */
  Reach reach(String path) {
    String[] c = PathPattern.components(path);
    Reach r = Reach.OUT;
    for (PathPattern p : includes) {
      PathPattern.Match m = p.match(c);
      if (m == PathPattern.Match.FULL) {
        r = Reach.IN;
        break;
      }
      if (m == PathPattern.Match.PREFIX) {
        r = Reach.PARTIAL;
      }
    }
    if (r == Reach.OUT) {
      return r;
    }
    for (PathPattern e : excludes) {
      if (e.match(c) == PathPattern.Match.FULL) {
        return Reach.OUT;
      }
    }
    return r;
  }

  /**
   * For a {@link Reach#PARTIAL} directory: the names of the entries that can lead to monitored
   * paths, when every pattern names the next component literally (so that {@code /} or {@code
   * /home} need not be listed); null when some pattern has a wildcard there and the directory must
   * be listed.
   */
  Set<String> nextNames(String dir) {
    String[] c = PathPattern.components(dir);
    Set<String> names = new LinkedHashSet<>();
    for (PathPattern p : includes) {
      if (p.match(c) == PathPattern.Match.PREFIX) {
        String next = p.nextLiteral(c);
        if (next == null) {
          return null;
        }
        names.add(next);
      }
    }
    return names;
  }

  @Override
  public String toString() {
    return "paths " + includes + " excluding " + excludes;
  }
}
