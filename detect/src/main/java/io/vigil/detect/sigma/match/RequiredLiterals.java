package io.vigil.detect.sigma.match;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What an event must contain for a matcher to possibly match, as clauses that must all hold, each
 * satisfied by any one of its literals: a literal holds when it occurs in the case-folded string
 * form of some value of its field ({@link FieldValues#folded}), or of any of the event's strings
 * for a keyword search. Unknown (no clauses) when nothing can be said: regular expressions,
 * numbers, negations, ... An engine may skip a rule for an event that fails one of its clauses
 * without evaluating it, and must evaluate every rule whose literals are unknown. Immutable.
 */
public final class RequiredLiterals {
  /** Nothing is known: the matcher must be evaluated. */
  public static final RequiredLiterals UNKNOWN = new RequiredLiterals(List.of());

  /**
   * An OR of matchers requires the clauses every alternative has, and, for every way of picking one
   * other clause from each alternative, the OR of the picked clauses; past this many combinations
   * only each alternative's most selective other clause is picked.
   */
  static final int MAX_CLAUSES = 64;

  /** A folded literal in a value of {@code field}; a null field means any string of the event. */
  public record Literal(String field, String text) {
    public Literal {
      if (text.isEmpty()) {
        throw new IllegalArgumentException("an empty literal requires nothing");
      }
    }
  }

  /** Holds when any of its literals occurs. */
  public record Clause(Set<Literal> anyOf) {
    public Clause {
      // Insertion order kept (Set.copyOf's is not stable between runs): the index is built the
      // same way every time.
      anyOf = Collections.unmodifiableSet(new LinkedHashSet<>(anyOf));
    }

    /**
     * A rough guess of how often an event satisfies the clause, to choose the most selective one:
     * short literals are common, long ones rare. Only speed depends on it, never results.
     */
    public double chance() {
      double p = 0;
      for (Literal l : anyOf) {
        double n = l.text().length();
        p += 1 / ((1 + n) * (1 + n));
      }
      return Math.min(1, p);
    }

    private Clause or(Clause other) {
      Set<Literal> both = new LinkedHashSet<>(anyOf);
      both.addAll(other.anyOf);
      return new Clause(both);
    }
  }

  private final List<Clause> allOf;

  private RequiredLiterals(List<Clause> allOf) {
    this.allOf = List.copyOf(allOf);
  }

  /**
   * Some value of {@code field} (null: any string of the event) contains one of {@code folded};
   * unknown when {@code folded} is null, empty, or has an empty literal.
   */
  static RequiredLiterals inField(String field, List<String> folded) {
    if (folded == null || folded.isEmpty()) {
      return UNKNOWN;
    }
    Set<Literal> literals = new LinkedHashSet<>();
    for (String f : folded) {
      if (f == null || f.isEmpty()) {
        return UNKNOWN;
      }
      literals.add(new Literal(field, f));
    }
    return new RequiredLiterals(List.of(new Clause(literals)));
  }

  /** For an AND: every operand's clauses hold. */
  public static RequiredLiterals allOf(List<RequiredLiterals> operands) {
    Set<Clause> out = new LinkedHashSet<>();
    for (RequiredLiterals o : operands) {
      out.addAll(o.allOf);
    }
    return new RequiredLiterals(new ArrayList<>(out));
  }

  /**
   * For an OR: what every alternative requires; unknown if any alternative's is. A clause all
   * alternatives share (auditd's {@code type: EXECVE}) is kept as it is, so it does not weaken the
   * ORed clauses built from the others.
   */
  public static RequiredLiterals anyOf(List<RequiredLiterals> alternatives) {
    if (alternatives.isEmpty()) {
      return UNKNOWN;
    }
    for (RequiredLiterals a : alternatives) {
      if (!a.known()) {
        return UNKNOWN;
      }
    }
    Set<Clause> common = new LinkedHashSet<>(alternatives.get(0).allOf);
    for (RequiredLiterals a : alternatives) {
      common.retainAll(a.allOf);
    }
    List<List<Clause>> others = new ArrayList<>(alternatives.size());
    long combinations = 1;
    for (RequiredLiterals a : alternatives) {
      List<Clause> rest = new ArrayList<>(a.allOf);
      rest.removeAll(common);
      others.add(rest);
      combinations = Math.min(combinations * rest.size(), MAX_CLAUSES + 1);
    }
    Set<Clause> out = new LinkedHashSet<>(common);
    if (combinations > 0) {
      List<Clause> product = null;
      for (List<Clause> rest : others) {
        List<Clause> picks = combinations <= MAX_CLAUSES ? rest : List.of(mostSelective(rest));
        product = product == null ? picks : or(product, picks);
      }
      out.addAll(product);
    }
    return new RequiredLiterals(new ArrayList<>(out));
  }

  private static List<Clause> or(List<Clause> a, List<Clause> b) {
    List<Clause> out = new ArrayList<>(a.size() * b.size());
    for (Clause x : a) {
      for (Clause y : b) {
        out.add(x.or(y));
      }
    }
    return out;
  }

  public boolean known() {
    return !allOf.isEmpty();
  }

  /** The clauses, all of which must hold; empty when unknown. */
  public List<Clause> allOf() {
    return allOf;
  }

  /** The clause least likely to hold (see {@link Clause#chance}); null when unknown. */
  public Clause mostSelective() {
    return mostSelective(allOf);
  }

  private static Clause mostSelective(List<Clause> clauses) {
    Clause best = null;
    for (Clause c : clauses) {
      if (best == null || c.chance() < best.chance()) {
        best = c;
      }
    }
    return best;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RequiredLiterals r && r.allOf.equals(allOf);
  }

  @Override
  public int hashCode() {
    return Objects.hash(allOf);
  }

  @Override
  public String toString() {
    return known() ? "RequiredLiterals" + allOf : "RequiredLiterals[unknown]";
  }
}
