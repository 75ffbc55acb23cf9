package io.vigil.agent.sensor.file;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Resolves configured patterns against the file system at start. Kernel sources report real paths
 * ({@code /usr/bin/ls}, never {@code /bin/ls} when {@code /bin} is a link to {@code usr/bin}), so
 * the sensor matches notifications against canonical patterns, and the sources watch the real
 * directories the patterns name. Blocks on file-system reads; stateless.
 */
final class PatternResolver {
  /** Most paths one pattern expands to (a glob over a huge directory is cut here). */
  static final int MAX_EXPANSION = 4096;

  private PatternResolver() {}

  /**
   * The forms of a normalized pattern that kernel paths can take: the pattern itself and, when its
   * longest existing literal prefix passes through a symbolic link, the same with that prefix
   * resolved ({@code /bin/x*} gives {@code /usr/bin/x*} too). A missing pattern keeps its lexical
   * form, so it still applies when the path is created later.
   */
  static Set<String> canonicalForms(String normalized) {
    Set<String> forms = new LinkedHashSet<>();
    forms.add(normalized);
    String[] components = PathGlob.components(normalized);
    int literal = 0;
    while (literal < components.length && !PathGlob.isGlob(components[literal])) {
      literal++;
    }
    for (int n = literal; n > 0; n--) {
      Path prefix = Path.of("/", Arrays.copyOf(components, n));
      Path real;
      try {
        real = prefix.toRealPath();
      } catch (IOException | SecurityException e) {
        continue; // try a shorter prefix
      }
      StringBuilder b = new StringBuilder(real.toString());
      for (int i = n; i < components.length; i++) {
        if (b.length() > 1) {
          b.append('/');
        }
        b.append(components[i]);
      }
      forms.add(PathGlob.normalize(b.toString()));
      break;
    }
    return forms;
  }

  /**
   * The existing paths a normalized pattern matches, as real paths, at most {@link #MAX_EXPANSION};
   * empty when nothing matches. Symbolic links in the literal prefix before the first glob are
   * resolved ({@code /bin} is {@code /usr/bin}); from the first glob on, a component that is a
   * symbolic link is skipped, never followed, since whoever owns the matched directories could
   * otherwise point the pattern at any tree.
   */
  static List<Path> expand(String normalized) {
    List<Path> current = List.of(Path.of("/"));
    boolean globbed = false;
    for (String c : PathGlob.components(normalized)) {
      globbed |= PathGlob.isGlob(c);
      List<Path> next = new ArrayList<>();
      for (Path dir : current) {
        if (!PathGlob.isGlob(c)) {
          Path p = dir.resolve(c);
          // Below a glob the directories are not the administrator's (/home/*/.ssh is in each
          // user's home): a symbolic link there (ln -s / ~/.ssh) must not widen the pattern.
          if (!globbed || !Files.isSymbolicLink(p)) {
            next.add(p);
          }
        } else if (Files.isDirectory(dir)) { // followed only in the literal prefix
          list(dir, c, next);
        }
        if (next.size() >= MAX_EXPANSION) {
          break;
        }
      }
      current = next;
    }
    Set<Path> real = new LinkedHashSet<>();
    for (Path p : current) {
      try {
        real.add(p.toRealPath());
      } catch (IOException | SecurityException e) {
        // missing or unreadable: not watched
      }
    }
    return List.copyOf(real);
  }

  private static void list(Path dir, String glob, List<Path> out) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        if (PathGlob.matchComponent(glob, e.getFileName().toString())
            && !Files.isSymbolicLink(e)) { // a match is never followed (see expand)
          out.add(e);
          if (out.size() >= MAX_EXPANSION) {
            return;
          }
        }
      }
    } catch (IOException | SecurityException e) {
      // an unreadable directory contributes nothing
    }
  }
}
