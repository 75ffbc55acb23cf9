package io.vigil.detect.sigma.match;

import java.util.ArrayList;
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
      FieldValues values = FieldCache.lookup(event, field);
      if (values.size() == 0) {
        return false;
      }
      // Indexed, not for-each: the iterator would be allocated on this hot path.
      for (int k = 0; k < tests.size(); k++) {
        boolean hit = anyPasses(values, tests.get(k));
        if (all && !hit) {
          return false;
        }
        if (!all && hit) {
          return true;
        }
      }
      return all;
    }

    @Override
    public RequiredLiterals requiredLiterals() {
      return literals(field, tests, all);
    }
  }

  /**
   * {@code neq}: the field has a value and none of its values equals any rule value. An absent
   * field is not "different", it is missing; rules ask for that with {@code exists: false}.
   */
  record NotEqual(String field, List<ValueTest> tests) implements FieldMatcher {
    @Override
    public boolean matches(SigmaFields event) {
      FieldValues values = FieldCache.lookup(event, field);
      boolean present = false;
      for (int i = 0; i < values.size(); i++) {
        if (values.raw(i) == null) {
          continue;
        }
        present = true;
        for (int k = 0; k < tests.size(); k++) {
          if (tests.get(k).test(values, i)) {
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
      List<Object> values = FieldCache.lookup(event, field).list();
      if (values.isEmpty()) {
        return true;
      }
      // Not contains(null): the immutable lists adapters return throw on it.
      for (int i = 0; i < values.size(); i++) {
        if (values.get(i) == null) {
          return true;
        }
      }
      return false;
    }
  }

  /** {@code exists: true/false}: presence only, whatever the value (also empty or null). */
  record Exists(String field, boolean expected) implements FieldMatcher {
    @Override
    public boolean matches(SigmaFields event) {
      return (FieldCache.lookup(event, field).size() == 0) != expected;
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
      List<Object> mine = FieldCache.lookup(event, field).list();
      for (String ref : refs) {
        List<Object> other = FieldCache.lookup(event, ref).list();
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
    public RequiredLiterals requiredLiterals() {
      return literals(null, tests, all);
    }

    @Override
    public boolean matches(SigmaFields event) {
      FieldValues strings = FieldCache.keywordValues(event);
      for (int k = 0; k < tests.size(); k++) {
        boolean hit = anyPasses(strings, tests.get(k));
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
   * Some value of {@code field} (null: any string) passes the tests: one of them, or with {@code
   * all} each of them.
   */
  private static RequiredLiterals literals(String field, List<ValueTest> tests, boolean all) {
    if (all) {
      List<RequiredLiterals> each = new ArrayList<>(tests.size());
      for (ValueTest t : tests) {
        each.add(RequiredLiterals.inField(field, t.requiredLiterals()));
      }
      return RequiredLiterals.allOf(each);
    }
    List<String> any = new ArrayList<>();
    for (ValueTest t : tests) {
      List<String> l = t.requiredLiterals();
      if (l == null) {
        return RequiredLiterals.UNKNOWN;
      }
      any.addAll(l);
    }
    return RequiredLiterals.inField(field, any);
  }

  static boolean anyPasses(FieldValues values, ValueTest t) {
    for (int i = 0; i < values.size(); i++) {
      if (values.raw(i) != null && t.test(values, i)) {
        return true;
      }
    }
    return false;
  }
}
