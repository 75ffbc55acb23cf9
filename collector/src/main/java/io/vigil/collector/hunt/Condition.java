package io.vigil.collector.hunt;

import io.vigil.proto.v1.EventKind;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A compiled query: a tree of {@code and}, {@code or}, {@code not} over comparisons. {@link
 * #kinds()} is what the scan may skip by: the event kinds the condition can possibly be true for.
 * Immutable; thread-safe.
 */
sealed interface Condition {
  boolean test(HuntEvent e);

  /** The kinds this can be true for; null when any kind. */
  Set<EventKind> kinds();

  /** Every child true. */
  record All(List<Condition> parts) implements Condition {
    @Override
    public boolean test(HuntEvent e) {
      for (Condition c : parts) {
        if (!c.test(e)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public Set<EventKind> kinds() {
      Set<EventKind> out = null;
      for (Condition c : parts) {
        Set<EventKind> k = c.kinds();
        if (k != null) {
          if (out == null) {
            out = EnumSet.noneOf(EventKind.class);
            out.addAll(k);
          } else {
            out.retainAll(k);
          }
        }
      }
      return out;
    }
  }

  /** Some child true. */
  record Any(List<Condition> parts) implements Condition {
    @Override
    public boolean test(HuntEvent e) {
      for (Condition c : parts) {
        if (c.test(e)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public Set<EventKind> kinds() {
      Set<EventKind> out = EnumSet.noneOf(EventKind.class);
      for (Condition c : parts) {
        Set<EventKind> k = c.kinds();
        if (k == null) {
          return null;
        }
        out.addAll(k);
      }
      return out;
    }
  }

  /** The child false. Any kind: an event without the child's field satisfies the negation. */
  record Not(Condition part) implements Condition {
    @Override
    public boolean test(HuntEvent e) {
      return !part.test(e);
    }

    @Override
    public Set<EventKind> kinds() {
      return null;
    }
  }

  /**
   * {@code field OP value}: true when the field has a value that passes; with {@code negated}
   * ({@code !=}), when it has values and none passes. An event without the field never satisfies a
   * comparison.
   *
   * @param only for {@code kind = x} and {@code kind in (...)}: exactly these kinds; otherwise null
   */
  record Compare(HuntField field, ValueTest test, boolean negated, Set<EventKind> only)
      implements Condition {
    @Override
    public boolean test(HuntEvent e) {
      List<Object> values = field.values().apply(e);
      if (values.isEmpty()) {
        return false;
      }
      for (Object v : values) {
        if (test.test(v)) {
          return !negated;
        }
      }
      return negated;
    }

    @Override
    public Set<EventKind> kinds() {
      if (only != null) {
        return only;
      }
      return field.kinds().isEmpty() ? null : field.kinds();
    }
  }
}
