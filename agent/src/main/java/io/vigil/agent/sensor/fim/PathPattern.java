package io.vigil.agent.sensor.fim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A configured path such as {@code /etc} or {@code /home/*}{@code /.ssh}: absolute, matched
 * component by component, where a component may hold {@code *} (any run of characters, none
 * included) and {@code ?} (one character). Wildcards never cross a {@code /}. A pattern names the
 * paths it matches and everything beneath them. Immutable.
 */
final class PathPattern {
  /** How a path relates to a pattern. */
  enum Match {
    /** Neither named by the pattern, nor beneath, nor on the way to it. */
    NONE,
    /** A proper ancestor of what the pattern may name: walking it can lead to a match. */
    PREFIX,
    /** Named by the pattern or beneath a path it names. */
    FULL
  }

  private final String text;
  private final String[] parts;
  private final boolean[] wild;

  private PathPattern(String text, String[] parts, boolean[] wild) {
    this.text = text;
    this.parts = parts;
    this.wild = wild;
  }

  /**
   * Parses a configured pattern.
   *
   * @throws IllegalArgumentException when it is not an absolute path
   */
  static PathPattern parse(String text) {
    if (text.isEmpty() || text.charAt(0) != '/') {
      throw new IllegalArgumentException("not an absolute path: " + text);
    }
    String[] parts = components(text);
    boolean[] wild = new boolean[parts.length];
    for (int i = 0; i < parts.length; i++) {
      wild[i] = parts[i].indexOf('*') >= 0 || parts[i].indexOf('?') >= 0;
    }
    return new PathPattern(text, parts, wild);
  }

  /** A pattern naming exactly {@code path} and what lies beneath; no character is a wildcard. */
  static PathPattern literal(Path path) {
    String[] parts = components(path.toString());
    return new PathPattern(path.toString(), parts, new boolean[parts.length]);
  }

  /** The pattern as configured (or the literal path). */
  String text() {
    return text;
  }

  /** How {@code path}, split by {@link #components}, relates to this pattern. */
  Match match(String[] path) {
    int n = Math.min(parts.length, path.length);
    for (int i = 0; i < n; i++) {
      if (wild[i] ? !glob(parts[i], path[i]) : !parts[i].equals(path[i])) {
        return Match.NONE;
      }
    }
    return path.length >= parts.length ? Match.FULL : Match.PREFIX;
  }

  /**
   * The component that follows {@code path} on the way to what this pattern names, for a path it
   * {@link Match#PREFIX}-matches: a name, or null when that component has a wildcard.
   */
  String nextLiteral(String[] path) {
    int i = path.length;
    return i < parts.length && !wild[i] ? parts[i] : null;
  }

  /**
   * The same pattern with its leading components without wildcards replaced by their real path, so
   * that {@code /lib/systemd/system} becomes {@code /usr/lib/systemd/system} where {@code /lib} is
   * a symbolic link: the walk never follows links, and the file sensor reports real paths. A
   * pattern without wildcards is resolved whole when it names a directory, otherwise up to its
   * parent (a symbolic link named by the pattern is monitored as the link itself). Components after
   * the first wildcard are not resolved: they are often writable by users (a home directory), who
   * could otherwise point the monitor anywhere. Returns {@code this} when nothing resolves
   * differently. Blocks on the filesystem.
   */
  PathPattern resolved() {
    int literalCount = 0;
    while (literalCount < parts.length && !wild[literalCount]) {
      literalCount++;
    }
    for (int k = literalCount; k > 0; k--) {
      Path prefix = Path.of("/" + String.join("/", Arrays.asList(parts).subList(0, k)));
      if (!Files.isDirectory(prefix)) {
        continue; // missing, or (the whole pattern) a file: try the parent
      }
      try {
        Path real = prefix.toRealPath();
        if (real.equals(prefix)) {
          return this;
        }
        List<String> p = new ArrayList<>(Arrays.asList(components(real.toString())));
        int resolvedCount = p.size();
        p.addAll(Arrays.asList(parts).subList(k, parts.length));
        boolean[] w = new boolean[p.size()];
        System.arraycopy(wild, k, w, resolvedCount, parts.length - k);
        String[] arr = p.toArray(String[]::new);
        return new PathPattern("/" + String.join("/", arr), arr, w);
      } catch (IOException e) {
        return this; // vanished or unreadable meanwhile: match as configured
      }
    }
    return this;
  }

  /** The non-empty components of an absolute path: {@code /} gives none. */
  static String[] components(String path) {
    List<String> out = new ArrayList<>(8);
    int start = 0;
    for (int i = 0; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        if (i > start) {
          out.add(path.substring(start, i));
        }
        start = i + 1;
      }
    }
    return out.toArray(String[]::new);
  }

  /** Wildcard match of one component: {@code *} any run, {@code ?} one character. */
  static boolean glob(String pattern, String s) {
    int p = 0;
    int i = 0;
    int starP = -1;
    int starI = 0;
    while (i < s.length()) {
      if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == s.charAt(i))) {
        p++;
        i++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        starP = p++;
        starI = i;
      } else if (starP >= 0) {
        p = starP + 1;
        i = ++starI;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  @Override
  public String toString() {
    return text;
  }
}
