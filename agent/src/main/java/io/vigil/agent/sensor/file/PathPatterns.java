package io.vigil.agent.sensor.file;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of normalized {@link PathGlob} patterns, asked per notification whether it covers a path (a
 * pattern matches the path or one of its ancestors). Literal patterns are looked up by hash for
 * each ancestor of the path, so the cost grows with the path's depth, not with the number of
 * literal patterns (a glob like {@code /home/*}{@code /.ssh} expanded on a host with many users);
 * the few glob patterns are matched one by one. Immutable and thread-safe.
 */
final class PathPatterns {
  private final boolean root;
  private final Set<String> literals;
  private final List<String[]> globs;

  /**
   * @param patterns normalized patterns ({@link PathGlob#normalize})
   */
  PathPatterns(Collection<String> patterns) {
    Set<String> lit = new HashSet<>();
    List<String[]> gl = new ArrayList<>();
    boolean r = false;
    for (String p : new HashSet<>(patterns)) {
      String[] components = PathGlob.components(p);
      if (components.length == 0) {
        r = true;
      } else if (Arrays.stream(components).anyMatch(PathGlob::isGlob)) {
        gl.add(components);
      } else {
        lit.add(p);
      }
    }
    this.root = r;
    this.literals = Set.copyOf(lit);
    this.globs = List.copyOf(gl);
  }

  /** True when no pattern is held. */
  boolean isEmpty() {
    return !root && literals.isEmpty() && globs.isEmpty();
  }

  /** True when {@code path} (absolute) is matched by a pattern or lies below a match. */
  boolean covers(String path) {
    if (path == null || path.isEmpty() || path.charAt(0) != '/') {
      return false;
    }
    if (root) {
      return true;
    }
    if (!literals.isEmpty()) {
      // The path itself, then each ancestor: "/a/b/c", "/a/b", "/a".
      for (int end = path.length(); end > 0; end = path.lastIndexOf('/', end - 1)) {
        if (literals.contains(path.substring(0, end))) {
          return true;
        }
      }
    }
    for (String[] g : globs) {
      if (matchesPrefix(g, path)) {
        return true;
      }
    }
    return false;
  }

  /** True when the first {@code glob.length} components of {@code path} match {@code glob}. */
  private static boolean matchesPrefix(String[] glob, String path) {
    int pos = 1;
    int len = path.length();
    for (String g : glob) {
      if (pos > len) {
        return false;
      }
      int end = path.indexOf('/', pos);
      if (end < 0) {
        end = len;
      }
      if (end == pos) {
        return false; // an empty component ("//" or a trailing slash): not a normal path
      }
      if (!PathGlob.matchComponent(g, path, pos, end)) {
        return false;
      }
      pos = end + 1;
    }
    return true;
  }
}
