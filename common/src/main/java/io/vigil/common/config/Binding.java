package io.vigil.common.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of one binding pass shared by all {@link ConfigNode}s of a tree: the problems found so
 * far and which key paths the binder asked for, so that every other key can be reported as unknown
 * at the end. Confined to the binding thread.
 */
final class Binding {
  private final ConfigValue.Mapping root;
  private final List<String> problems = new ArrayList<>();
  private final Set<String> requested = new HashSet<>();
  private final Set<String> children = new HashSet<>();
  private boolean finished;

  Binding(ConfigValue.Mapping root, List<String> loadProblems) {
    this.root = root;
    this.problems.addAll(loadProblems);
  }

  ConfigValue.Mapping root() {
    return root;
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Records that the binder read {@code path} as a value (consumed whole). */
  void request(String path) {
    requested.add(path);
  }

  /** Records that the binder read {@code path} as a section whose own keys it reads one by one. */
  void requestChild(String path) {
    requested.add(path);
    children.add(path);
  }

  void problem(String path, String message, ConfigValue at) {
    String origin = at == null ? "" : " (" + at.origin() + ")";
    problems.add(path + ": " + message + origin);
  }

  /**
   * Ends the pass: reports every key present but never asked for, then throws if anything was
   * wrong.
   *
   * @throws ConfigException listing every problem
   * @throws IllegalStateException when called twice
   */
  void finish() throws ConfigException {
    if (finished) {
      throw new IllegalStateException("binding already finished");
    }
    finished = true;
    reportUnknown(root, "");
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
  }

  private void reportUnknown(ConfigValue.Mapping mapping, String path) {
    for (Map.Entry<String, ConfigValue> e : mapping.entries().entrySet()) {
      String p = join(path, e.getKey());
      if (!requested.contains(p)) {
        problem(
            p, "unknown key" + Suggestions.didYouMean(e.getKey(), siblings(path)), e.getValue());
      } else if (children.contains(p) && e.getValue() instanceof ConfigValue.Mapping m) {
        reportUnknown(m, p);
      }
    }
  }

  /** Names the binder asked for directly under {@code path}: the candidates for a typo. */
  private List<String> siblings(String path) {
    List<String> names = new ArrayList<>();
    String prefix = path.isEmpty() ? "" : path + ".";
    for (String r : requested) {
      if (r.startsWith(prefix) && r.indexOf('.', prefix.length()) < 0) {
        names.add(r.substring(prefix.length()));
      }
    }
    names.sort(null);
    return names;
  }
}
