package io.vigil.detect.correlation;

import io.vigil.detect.sigma.rule.SigmaCorrelation;
import java.util.List;
import java.util.Objects;

/**
 * A correlation whose references all resolved: {@code ruleId} is what its findings (and the inputs
 * they make for outer correlations) carry (see {@link #idOf}). {@code references} are in the order
 * written. {@code standalone} is false when an active correlation refers to it without {@code
 * generate: true}: its findings then only feed that correlation. Immutable.
 */
public record CorrelationRule(
    SigmaCorrelation rule, String ruleId, List<Reference> references, boolean standalone) {

  /**
   * One entry of {@code correlation.rules}: as {@code written}, the {@code ruleId} inputs of it
   * carry, its {@code name} (null when it has none; aliases are keyed by it) and whether it is a
   * correlation.
   */
  public record Reference(String written, String ruleId, String name, boolean correlation) {
    public Reference {
      Objects.requireNonNull(written);
      Objects.requireNonNull(ruleId);
    }
  }

  public CorrelationRule {
    Objects.requireNonNull(rule);
    Objects.requireNonNull(ruleId);
    references = List.copyOf(references);
  }

  /**
   * The id a correlation is known by: {@code id}, else {@code name}, else its origin (the file, or
   * {@code FILE#N} in a multi-document file).
   */
  public static String idOf(SigmaCorrelation c) {
    if (c.id() != null && !c.id().isBlank()) {
      return c.id();
    }
    if (c.name() != null && !c.name().isBlank()) {
      return c.name();
    }
    return c.origin();
  }

  /** {@code event_count correlation 'Title'}, for reports. */
  public static String describe(SigmaCorrelation c) {
    return c.type() + " correlation '" + c.title() + "'";
  }

  /**
   * The field an input of {@code ref} holds for the correlation field {@code field}: the alias's
   * field for that rule (by its name, or as written) when {@code field} is an alias naming it, else
   * {@code field} itself.
   */
  public String fieldFor(Reference ref, String field) {
    var alias = rule.aliases().get(field);
    if (alias == null) {
      return field;
    }
    if (ref.name() != null && alias.containsKey(ref.name())) {
      return alias.get(ref.name());
    }
    return alias.getOrDefault(ref.written(), alias.getOrDefault(ref.ruleId(), field));
  }
}
