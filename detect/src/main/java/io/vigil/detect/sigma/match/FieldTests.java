package io.vigil.detect.sigma.match;

import java.util.List;

/** The field-level matchers {@link FieldMatchers} builds; all immutable and thread-safe. */
final class FieldTests {
  private FieldTests() {}

  /**
   * A field whose values are tested against the rule's values: some event value passes some rule
   * value (or, with {@code all}, every rule value is passed by some event value).
   */
  record Values(String field, List<ValueTest> tests, boolean all) implements FieldMatcher {
    @Override
    public boolean matches(SigmaFields event) {
      List<Object> values = event.values(field);
      if (values.isEmpty()) {
        return false;
      }
      for (ValueTest t : tests) {
        boolean hit = anyPasses(values, t);
        if (all && !hit) {
          return false;
        }
        if (!all && hit) {
          return true;
        }
      }
      return all;
    }
  }

  /**
   * {@code neq}: the field has a value and none of its values equals any rule value. An absent
   * field is not "different", it is missing; rules ask for that with {@code exists: false}.
   */
  record NotEqual(String field, List<ValueTest> tests) implements FieldMatcher {
    @Override
    public boolean matches(SigmaFields event) {
      List<Object> values = event.values(field);
      boolean present = false;
      for (Object v : values) {
        if (v == null) {
          continue;
        }
        present = true;
        for (ValueTest t : tests) {
          if (t.test(v)) {
            return false;
          }
        }
      }
      return present;
    }
  }

  /** {@code Field: null}: the field is absent or present with a null value. */
  record IsNull(String field) implements FieldMatcher {
    @Override
    public boolean matches(SigmaFields event) {
      List<Object> values = event.values(field);
      return values.isEmpty() || values.contains(null);
    }
  }

  /** {@code exists: true/false}: presence only, whatever the value (also empty or null). */
  record Exists(String field, boolean expected) implements FieldMatcher {
    @Override
    public boolean matches(SigmaFields event) {
      return event.values(field).isEmpty() != expected;
    }
  }

  /** Either of two matchers (a rule value list that mixes {@code null} with other values). */
  record Either(FieldMatcher a, FieldMatcher b) implements FieldMatcher {
    @Override
    public boolean matches(SigmaFields event) {
      return a.matches(event) || b.matches(event);
    }
  }

  /**
   * {@code fieldref}: the field equals (or with {@code neq} differs from) another field of the same
   * event; both must be present. Values compare as numbers when both are numeric, else as text.
   */
  record FieldRef(String field, List<String> refs, boolean all, boolean neq, boolean cased)
      implements FieldMatcher {
    @Override
    public boolean matches(SigmaFields event) {
      List<Object> mine = event.values(field);
      for (String ref : refs) {
        List<Object> other = event.values(ref);
        boolean hit = !mine.isEmpty() && !other.isEmpty() && (equalPair(mine, other) != neq);
        if (all && !hit) {
          return false;
        }
        if (!all && hit) {
          return true;
        }
      }
      return all;
    }

    private boolean equalPair(List<Object> a, List<Object> b) {
      for (Object x : a) {
        for (Object y : b) {
          if (x != null && y != null && same(x, y)) {
            return true;
          }
        }
      }
      return false;
    }

    private boolean same(Object x, Object y) {
      var nx = EventValues.asNumber(x);
      var ny = EventValues.asNumber(y);
      if (nx != null && ny != null) {
        return nx.compareTo(ny) == 0;
      }
      String sx = EventValues.asString(x);
      String sy = EventValues.asString(y);
      return cased ? sx.equals(sy) : sx.equalsIgnoreCase(sy);
    }
  }

  /** Field-less keywords: each rule value looked for in every string of the event. */
  record Keywords(List<ValueTest> tests, boolean all) implements FieldMatcher {
    @Override
    public boolean matches(SigmaFields event) {
      for (ValueTest t : tests) {
        boolean hit = false;
        for (String s : event.allStrings()) {
          if (s != null && t.test(s)) {
            hit = true;
            break;
          }
        }
        if (all && !hit) {
          return false;
        }
        if (!all && hit) {
          return true;
        }
      }
      return all;
    }
  }

  static boolean anyPasses(List<Object> values, ValueTest t) {
    for (Object v : values) {
      if (v != null && t.test(v)) {
        return true;
      }
    }
    return false;
  }
}
