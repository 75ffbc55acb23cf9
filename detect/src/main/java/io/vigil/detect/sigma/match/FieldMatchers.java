package io.vigil.detect.sigma.match;

import io.vigil.detect.sigma.SigmaRuleException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Compiles one selection entry ({@code CommandLine|contains|all: [...]}) or a keyword list to a
 * {@link FieldMatcher}, once per rule. Matching follows the Sigma specification: string values are
 * case-insensitive with {@code *}/{@code ?} wildcards and {@code \} escapes, values are OR-ed
 * unless {@code all}, regular expressions are case-sensitive unless {@code i}. Stateless and
 * thread-safe; the matchers it returns are immutable and thread-safe.
 *
 * <p>Points where the specification leaves room, decided here: {@code neq} matches a present field
 * none of whose values equals any rule value (an absent field does not match, and {@code all}
 * changes nothing); a {@code null} in a value list is OR-ed with the other values; {@code windash}
 * makes every dash-like character of the value match any of {@code - / – — ―}; numbers equal
 * numeric event values and numeric strings, other strings by the number's text.
 */
public final class FieldMatchers {
  private FieldMatchers() {}

  /** {@link #compile(String, List, Map)} for rules that use no {@code expand} placeholders. */
  public static FieldMatcher compile(String fieldSpec, List<Object> values)
      throws SigmaRuleException {
    return compile(fieldSpec, values, Map.of());
  }

  /**
   * @param fieldSpec the selection key: a field name and its modifiers, {@code Image|endswith}
   * @param values the values as YAML gives them (String, Integer/Long, Double, Boolean, null); a
   *     scalar arrives as a one-element list
   * @param placeholders the values of each {@code expand} placeholder, by name without the {@code
   *     %} signs
   * @throws SigmaRuleException for an unknown modifier, a bad combination, a value the modifiers
   *     cannot take, or an unknown placeholder; the message names the field spec
   */
  public static FieldMatcher compile(
      String fieldSpec, List<Object> values, Map<String, List<String>> placeholders)
      throws SigmaRuleException {
    String[] parts = fieldSpec.split("\\|", -1);
    // Interned: the field cache then finds the names of many rules by identity.
    String field = parts[0].intern();
    List<Modifier> chain =
        Modifier.parseChain(fieldSpec, Arrays.asList(parts).subList(1, parts.length));
    if (values.isEmpty()) {
      throw new SigmaRuleException(fieldSpec, "no values");
    }
    boolean all = chain.contains(Modifier.ALL);
    if (all && values.size() < 2) {
      throw new SigmaRuleException(fieldSpec, "'all' needs a list of at least two values");
    }
    if (chain.contains(Modifier.EXISTS)) {
      if (values.size() != 1 || !(values.get(0) instanceof Boolean b)) {
        throw new SigmaRuleException(fieldSpec, "exists needs a single true or false");
      }
      return new FieldTests.Exists(field, b);
    }
    boolean neq = chain.contains(Modifier.NEQ);
    if (chain.contains(Modifier.FIELDREF)) {
      List<String> refs = new ArrayList<>(values.size());
      for (Object v : values) {
        refs.add(ValueCompiler.text(fieldSpec, v, "fieldref").intern());
      }
      return new FieldTests.FieldRef(field, refs, all, neq, chain.contains(Modifier.CASED));
    }
    boolean hasNull = false;
    List<ValueTest> tests = new ArrayList<>(values.size());
    for (Object v : values) {
      if (v == null) {
        hasNull = true;
      } else {
        tests.add(ValueCompiler.compile(fieldSpec, v, chain, placeholders, false));
      }
    }
    if (hasNull && !chain.isEmpty()) {
      throw new SigmaRuleException(fieldSpec, "null cannot take value modifiers");
    }
    if (tests.isEmpty()) {
      return new FieldTests.IsNull(field);
    }
    FieldMatcher m =
        neq
            ? new FieldTests.NotEqual(field, List.copyOf(tests))
            : new FieldTests.Values(field, List.copyOf(tests), all);
    return hasNull ? new FieldTests.Either(new FieldTests.IsNull(field), m) : m;
  }

  /**
   * A field-less keyword search over {@link SigmaFields#allStrings()}: a value is found when some
   * string of the event matches it. Without {@code contains}, {@code startswith}, {@code endswith}
   * or {@code re} a keyword is looked for anywhere in a string, as full-text search does.
   *
   * @param modifiers the modifier names after the search identifier ({@code keywords|all}), in
   *     order
   */
  public static FieldMatcher keywords(List<Object> values, List<String> modifiers)
      throws SigmaRuleException {
    String where = "keywords" + (modifiers.isEmpty() ? "" : "|" + String.join("|", modifiers));
    List<Modifier> chain = Modifier.parseChain(where, modifiers);
    for (Modifier m : chain) {
      boolean ok =
          m.kind == Modifier.Kind.POSITION
              || m.kind == Modifier.Kind.REGEX
              || m.kind == Modifier.Kind.REGEX_FLAG
              || (m.kind == Modifier.Kind.TRANSFORM && m != Modifier.EXPAND)
              || m == Modifier.ALL
              || m == Modifier.CASED;
      if (!ok) {
        throw new SigmaRuleException(
            where, "'" + Modifier.lower(m) + "' cannot be used without a field");
      }
    }
    if (values.isEmpty()) {
      throw new SigmaRuleException(where, "no values");
    }
    boolean all = chain.contains(Modifier.ALL);
    if (all && values.size() < 2) {
      throw new SigmaRuleException(where, "'all' needs a list of at least two values");
    }
    boolean anywhere =
        chain.stream()
            .noneMatch(m -> m.kind == Modifier.Kind.POSITION || m.kind == Modifier.Kind.REGEX);
    List<ValueTest> tests = new ArrayList<>(values.size());
    for (Object v : values) {
      if (v == null) {
        throw new SigmaRuleException(where, "a keyword cannot be null");
      }
      tests.add(ValueCompiler.compile(where, v, chain, Map.of(), anywhere));
    }
    return new FieldTests.Keywords(List.copyOf(tests), all);
  }
}
