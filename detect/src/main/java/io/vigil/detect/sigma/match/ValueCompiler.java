package io.vigil.detect.sigma.match;

import io.vigil.detect.sigma.SigmaRuleException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns one rule value and a checked modifier chain into a {@link ValueTest}: the transformation
 * modifiers run in the order written (as the spec says), and a value that expands into several
 * (base64offset, expand) becomes an OR of them. Stateless.
 */
final class ValueCompiler {
  private ValueCompiler() {}

  static ValueTest compile(
      String where,
      Object value,
      List<Modifier> chain,
      Map<String, List<String>> placeholders,
      boolean implicitContains)
      throws SigmaRuleException {
    if (value instanceof Double d && !Double.isFinite(d)) {
      throw new SigmaRuleException(where, "not a finite number: " + d);
    }
    if (chain.contains(Modifier.RE)) {
      return ValueTests.regex(regex(where, text(where, value, "re"), chain));
    }
    if (chain.contains(Modifier.CIDR)) {
      return CidrRange.parse(where, text(where, value, "cidr"));
    }
    TimePart time = timePart(chain);
    ValueTest numeric = numeric(where, value, chain);
    if (time != null) {
      ValueTest inner = numeric;
      return v -> {
        Long part = time.extract(v);
        return part != null && inner.test(part);
      };
    }
    if (numeric != null) {
      return numeric;
    }
    boolean stringModifiers = implicitContains || hasStringModifier(chain);
    if (value instanceof Number n && !stringModifiers) {
      return ValueTests.number(n);
    }
    if (value instanceof Boolean b && !stringModifiers) {
      return ValueTests.bool(b);
    }
    List<SigmaString> strings = new ArrayList<>();
    if (value instanceof String s) {
      List<String> expanded =
          chain.contains(Modifier.EXPAND)
              ? Placeholders.expand(where, s, placeholders)
              : List.of(s);
      for (String e : expanded) {
        strings.add(SigmaString.parse(e));
      }
    } else if (value instanceof Number n) {
      strings.add(SigmaString.literal(ValueTests.numberText(n)));
    } else if (value instanceof Boolean b) {
      strings.add(SigmaString.literal(b.toString()));
    } else {
      throw new SigmaRuleException(where, "unsupported value type: " + typeName(value));
    }
    for (Modifier m : chain) {
      strings = apply(where, m, strings);
    }
    if (implicitContains) {
      // After the encodings: a keyword's base64 form is looked for inside the strings.
      strings = apply(where, Modifier.CONTAINS, strings);
    }
    boolean cased = chain.contains(Modifier.CASED);
    List<ValueTest> alternatives = new ArrayList<>(strings.size());
    for (SigmaString s : strings) {
      alternatives.add(ValueTests.glob(GlobPattern.compile(s, cased)));
    }
    return ValueTests.anyOf(alternatives);
  }

  private static List<SigmaString> apply(String where, Modifier m, List<SigmaString> in)
      throws SigmaRuleException {
    List<SigmaString> out = new ArrayList<>(in.size());
    for (SigmaString s : in) {
      switch (m) {
        case CONTAINS -> out.add(s.contains());
        case STARTSWITH -> out.add(s.startsWith());
        case ENDSWITH -> out.add(s.endsWith());
        case WINDASH -> out.add(s.windash());
        case UTF16LE, WIDE -> out.add(s.utf16(false, false));
        case UTF16BE -> out.add(s.utf16(true, false));
        case UTF16 -> out.add(s.utf16(false, true));
        case BASE64 -> out.add(s.base64(where));
        case BASE64OFFSET -> out.addAll(s.base64Offsets(where));
        default -> out.add(s);
      }
    }
    return out;
  }

  private static boolean hasStringModifier(List<Modifier> chain) {
    for (Modifier m : chain) {
      if (m.kind == Modifier.Kind.POSITION || (m.kind == Modifier.Kind.TRANSFORM)) {
        return true;
      }
    }
    return false;
  }

  private static TimePart timePart(List<Modifier> chain) {
    for (Modifier m : chain) {
      if (m.kind == Modifier.Kind.TIME) {
        return TimePart.valueOf(m.name());
      }
    }
    return null;
  }

  /** Comparisons, and the number a time modifier's part must equal; null when neither applies. */
  private static ValueTest numeric(String where, Object value, List<Modifier> chain)
      throws SigmaRuleException {
    Modifier compare = null;
    for (Modifier m : chain) {
      if (m.kind == Modifier.Kind.COMPARE) {
        compare = m;
      }
    }
    if (compare == null && timePart(chain) == null) {
      return null;
    }
    if (!(value instanceof Number n)) {
      String what = compare != null ? Modifier.lower(compare) : "time modifiers";
      throw new SigmaRuleException(where, what + " needs a number, got " + typeName(value));
    }
    if (compare == null) {
      return ValueTests.number(n);
    }
    return ValueTests.compare(ValueTests.Comparison.valueOf(compare.name()), n);
  }

  private static Pattern regex(String where, String text, List<Modifier> chain)
      throws SigmaRuleException {
    // PCRE's defaults, as the specification says: only \n ends a line, so '.' matches \r, U+0085,
    // U+2028 and U+2029 and '$' does not stop before them (Java's defaults differ, and command
    // lines are attacker-controlled: a \r must not hide the rest of a line from a rule).
    int flags = Pattern.UNIX_LINES;
    if (chain.contains(Modifier.I)) {
      flags |= Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
    }
    if (chain.contains(Modifier.M)) {
      flags |= Pattern.MULTILINE;
    }
    if (chain.contains(Modifier.S)) {
      flags |= Pattern.DOTALL;
    }
    try {
      return Pattern.compile(text, flags);
    } catch (PatternSyntaxException e) {
      throw new SigmaRuleException(where, "bad regular expression: " + e.getDescription());
    }
  }

  static String text(String where, Object value, String modifier) throws SigmaRuleException {
    if (value instanceof String s) {
      return s;
    }
    throw new SigmaRuleException(where, modifier + " needs a string, got " + typeName(value));
  }

  static String typeName(Object value) {
    return value == null ? "null" : value.getClass().getSimpleName();
  }
}
