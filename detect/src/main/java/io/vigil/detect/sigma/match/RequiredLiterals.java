package io.vigil.detect.sigma.match;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What an event must contain for a matcher to possibly match: at least one of a set of literals,
 * each in the case-folded string form of some value of a named field ({@link FieldValues#folded}).
 * Unknown when no such set can be derived (regular expressions, numbers, negations, keyword
 * searches, ...). An engine can skip a rule whose literals an event lacks without evaluating it; it
 * must still evaluate every rule whose literals are unknown. Immutable.
 */
public final class RequiredLiterals {
  /** Nothing is known: the matcher must be evaluated. */
  public static final RequiredLiterals UNKNOWN = new RequiredLiterals(null);

  /** A folded literal that must occur in a value of {@code field}. */
  public record Literal(String field, String text) {
    public Literal {
      Objects.requireNonNull(field);
      if (text.isEmpty()) {
        throw new IllegalArgumentException("an empty literal requires nothing");
      }
    }
  }

  private final List<Literal> anyOf;

  private RequiredLiterals(List<Literal> anyOf) {
    this.anyOf = anyOf;
  }

  /** Some value of {@code field} contains one of {@code folded} (unknown if any is null/empty). */
  static RequiredLiterals inField(String field, List<String> folded) {
    if (folded == null || folded.isEmpty()) {
      return UNKNOWN;
    }
    List<Literal> out = new ArrayList<>(folded.size());
    for (String f : folded) {
      if (f == null || f.isEmpty()) {
        return UNKNOWN;
      }
      out.add(new Literal(field, f));
    }
    return new RequiredLiterals(List.copyOf(out));
  }

  /** For an OR: one of the alternatives' literals; unknown if any alternative's is. */
  public static RequiredLiterals either(List<RequiredLiterals> alternatives) {
    List<Literal> out = new ArrayList<>();
    for (RequiredLiterals a : alternatives) {
      if (!a.known()) {
        return UNKNOWN;
      }
      out.addAll(a.anyOf);
    }
    return out.isEmpty() ? UNKNOWN : new RequiredLiterals(List.copyOf(out));
  }

  /** For an AND: every operand's literals are required, so the most selective one will do. */
  public static RequiredLiterals both(List<RequiredLiterals> operands) {
    RequiredLiterals best = UNKNOWN;
    for (RequiredLiterals o : operands) {
      if (o.known() && (!best.known() || o.chance() < best.chance())) {
        best = o;
      }
    }
    return best;
  }

  public boolean known() {
    return anyOf != null;
  }

  /** The literals, one of which must be present; empty when unknown. */
  public List<Literal> anyOf() {
    return anyOf == null ? List.of() : anyOf;
  }

  /**
   * A rough guess of how often an event has one of the literals, to pick the most selective operand
   * of an AND: short literals are common, long ones rare. Only speed depends on it, never results.
   */
  double chance() {
    if (anyOf == null) {
      return 1;
    }
    double p = 0;
    for (Literal l : anyOf) {
      double n = l.text().length();
      p += 1 / ((1 + n) * (1 + n));
    }
    return Math.min(1, p);
  }

  @Override
  public String toString() {
    return anyOf == null ? "RequiredLiterals[unknown]" : "RequiredLiterals" + anyOf;
  }
}
