package io.vigil.detect.engine;

import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.vigil.LogSourceMapping;
import java.util.Objects;

/**
 * A rule the engine evaluates: compiled, with the mapping of its log source to Vigil events and the
 * id findings carry (see {@link #idOf}).
 */
public record ActiveRule(CompiledRule compiled, LogSourceMapping mapping, String id) {
  public ActiveRule {
    Objects.requireNonNull(compiled);
    Objects.requireNonNull(mapping);
    Objects.requireNonNull(id);
  }

  /**
   * The id a rule is known by: its Sigma {@code id}, else its {@code name} (by which correlations
   * refer to it), else where it was loaded from (the file, or {@code FILE#N} in a multi-document
   * file).
   */
  public static String idOf(CompiledRule rule) {
    String id = rule.rule().id();
    if (id != null && !id.isBlank()) {
      return id;
    }
    String name = rule.rule().name();
    return name == null || name.isBlank() ? rule.rule().origin() : name;
  }
}
