package io.vigil.detect.sigma.match;

import static io.vigil.detect.sigma.match.Fixtures.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.sigma.match.RequiredLiterals.Clause;
import io.vigil.detect.sigma.match.RequiredLiterals.Literal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequiredLiteralsTest {

  private static Clause clause(String field, String... texts) {
    List<Literal> l = new ArrayList<>();
    for (String t : texts) {
      l.add(new Literal(field, t));
    }
    return new Clause(Set.copyOf(l));
  }

  @Test
  void stringModifiersRequireTheirFoldedText() {
    assertEquals(
        List.of(clause("Image", "/curl", "/wget")),
        rule("Image|endswith", "/Curl", "/wget").requiredLiterals().allOf());
    assertEquals(
        List.of(clause("CommandLine", "-enc"), clause("CommandLine", "hidden")),
        rule("CommandLine|contains|all", "-ENC", "hidden").requiredLiterals().allOf());
    // The longest literal run between wildcards.
    assertEquals(
        List.of(clause("CommandLine", "/etc/passwd")),
        rule("CommandLine", "*cat*/etc/passwd").requiredLiterals().allOf());
  }

  @Test
  void numbersRequireTheirFirstSignificantDigit() {
    assertEquals(List.of(clause("euid", "3")), rule("euid", 33L).requiredLiterals().allOf());
    assertEquals(List.of(clause("n", "0")), rule("n", 0L).requiredLiterals().allOf());
    assertEquals(List.of(clause("n", "1")), rule("n", 0.125).requiredLiterals().allOf());
  }

  @Test
  void whatCannotBeSaidIsUnknown() {
    assertFalse(rule("User|neq", "root").requiredLiterals().known());
    assertFalse(rule("Image|exists", true).requiredLiterals().known());
    assertFalse(rule("DestinationIp|cidr", "10.0.0.0/8").requiredLiterals().known());
    assertFalse(rule("Port|gt", 1024L).requiredLiterals().known());
    assertFalse(rule("CommandLine", "*").requiredLiterals().known());
    assertFalse(rule("A", null, "x").requiredLiterals().known(), "null matches an absent field");
  }

  @Test
  void anOrKeepsTheClausesEveryAlternativeHas() {
    RequiredLiterals type = RequiredLiterals.inField("type", List.of("execve"));
    RequiredLiterals zip = RequiredLiterals.inField("a0", List.of("zip"));
    RequiredLiterals tar = RequiredLiterals.inField("a0", List.of("tar"));
    RequiredLiterals or =
        RequiredLiterals.anyOf(
            List.of(
                RequiredLiterals.allOf(List.of(type, zip)),
                RequiredLiterals.allOf(List.of(type, tar))));
    assertEquals(List.of(clause("type", "execve"), clause("a0", "zip", "tar")), or.allOf());
    assertFalse(
        RequiredLiterals.anyOf(List.of(type, RequiredLiterals.UNKNOWN)).known(),
        "an alternative that needs nothing makes the OR need nothing");
  }

  /**
   * The engine's promise, checked on many random matchers and events: whenever a matcher matches,
   * every clause of its requirement holds on that event.
   */
  @Test
  void requirementsHoldOnEveryEventAMatcherMatches() {
    Random r = new Random(42);
    String[] modifiers = {
      "",
      "|contains",
      "|startswith",
      "|endswith",
      "|contains|all",
      "|cased",
      "|contains|cased",
      "|re",
      "|re|i",
      "|windash",
      "|contains|windash",
      "|base64offset|contains",
      "|utf16le|base64"
    };
    String[] words = {"cmd", "Evil", "-enc", "/tmp/", "a?c", "x*y", "PoWeR", "\u212Aey", "-d", "7"};
    int matched = 0;
    for (int i = 0; i < 4000; i++) {
      String mod = modifiers[r.nextInt(modifiers.length)];
      int n = mod.contains("all") ? 2 : 1 + r.nextInt(2);
      Object[] values = new Object[n];
      for (int k = 0; k < n; k++) {
        values[k] = mod.startsWith("|re") ? regexOf(r, words) : words[r.nextInt(words.length)];
      }
      FieldMatcher m;
      try {
        m = FieldMatchers.compile("F" + mod, List.of(values));
      } catch (io.vigil.detect.sigma.SigmaRuleException e) {
        continue; // e.g. base64 of a wildcard
      }
      RequiredLiterals req = m.requiredLiterals();
      for (int e = 0; e < 20; e++) {
        String text = textOf(r, words, values, mod);
        MapFields event = MapFields.of("F", text, "G", "other");
        if (m.matches(event)) {
          matched++;
          for (Clause c : req.allOf()) {
            assertTrue(holds(c, event), "F" + mod + " " + List.of(values) + " on " + text);
          }
        }
      }
    }
    assertTrue(matched > 1000, "the random events should match often: " + matched);
  }

  private static String regexOf(Random r, String[] words) {
    String w = java.util.regex.Pattern.quote(words[r.nextInt(words.length)]);
    return switch (r.nextInt(4)) {
      case 0 -> w;
      case 1 -> w + "\\s?(x|y)";
      case 2 -> "(" + w + "|ab)c";
      default -> "[a-z]+" + w;
    };
  }

  /** Mostly texts built around the rule's own values (so they match), in random case. */
  private static String textOf(Random r, String[] words, Object[] values, String mod) {
    StringBuilder b = new StringBuilder();
    int parts = 1 + r.nextInt(3);
    for (int p = 0; p < parts; p++) {
      String w =
          r.nextInt(3) == 0
              ? words[r.nextInt(words.length)]
              : String.valueOf(values[r.nextInt(values.length)]);
      w = w.replace("*", "").replace("?", "b").replace("\\", "");
      b.append(r.nextBoolean() ? w.toUpperCase(java.util.Locale.ROOT) : w);
      if (r.nextBoolean()) {
        b.append(r.nextBoolean() ? ' ' : 'x');
      }
    }
    if (mod.contains("base64") || mod.contains("utf16")) {
      return java.util.Base64.getEncoder().encodeToString(b.toString().getBytes());
    }
    return b.toString();
  }

  private static boolean holds(Clause c, SigmaFields event) {
    for (Literal l : c.anyOf()) {
      Iterable<?> values = l.field() == null ? event.allStrings() : event.values(l.field());
      for (Object v : values) {
        if (v != null && CaseFold.fold(FieldValues.stringOf(v)).contains(l.text())) {
          return true;
        }
      }
    }
    return false;
  }
}
