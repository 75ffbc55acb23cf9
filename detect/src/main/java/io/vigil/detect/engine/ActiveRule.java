package io.vigil.detect.engine;

import io.vigil.detect.sigma.compile.CompiledRule;
import io.vigil.detect.vigil.LogSourceMapping;
import java.util.Objects;

/**
 * A rule the engine evaluates: compiled, with the mapping of its log source to Vigil events and the
 * id findings carry (the rule's {@code id}, or {@code origin} when it has none).
 */
public record ActiveRule(CompiledRule compiled, LogSourceMapping mapping, String id) {
  public ActiveRule {
    Objects.requireNonNull(compiled);
    Objects.requireNonNull(mapping);
    Objects.requireNonNull(id);
  }

  /** The id a rule is known by: its Sigma {@code id}, or where it was loaded from. */
  public static String idOf(CompiledRule rule) {
    String id = rule.rule().id();
    return id == null || id.isBlank() ? rule.rule().origin() : id;
  }
}
