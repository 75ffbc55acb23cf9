package io.vigil.detect.sigma.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.rule.SigmaRuleLoader;
import org.junit.jupiter.api.Test;

class RuleCompilerTest {
  private static final EqualityCompiler ITEMS = new EqualityCompiler();

  private static CompiledRule rule(String detection) throws SigmaRuleException {
    String yaml =
        "title: t\nid: r1\nlogsource:\n  product: linux\ndetection:\n" + detection.indent(2);
    return RuleCompiler.compile(SigmaRuleLoader.load(yaml, "test"), ITEMS);
  }

  private static MapFields event(Object... kv) {
    java.util.Map<String, Object> m = new java.util.HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return new MapFields(m);
  }

  @Test
  void aMapIsTheAndOfItsItemsAndAValueListIsOr() throws Exception {
    CompiledRule r =
        rule("sel:\n  Image: /bin/sh\n  User:\n    - root\n    - admin\ncondition: sel\n");
    assertTrue(r.matches(event("Image", "/bin/sh", "User", "admin")));
    assertFalse(r.matches(event("Image", "/bin/sh", "User", "bob")));
    assertFalse(r.matches(event("User", "root")));
  }

  @Test
  void aListOfMapsIsOr() throws Exception {
    CompiledRule r = rule("sel:\n  - Image: /bin/sh\n  - User: root\ncondition: sel\n");
    assertTrue(r.matches(event("Image", "/bin/sh")));
    assertTrue(r.matches(event("User", "root")));
    assertFalse(r.matches(event("Image", "/bin/bash", "User", "bob")));
  }

  @Test
  void keywordsSearchTheEventsStringsAndPipeAllRequiresEveryKeyword() throws Exception {
    CompiledRule any = rule("kw:\n  - evil\n  - worse\ncondition: kw\n");
    assertTrue(any.matches(event("CommandLine", "worse")));
    assertFalse(any.matches(event("CommandLine", "fine")));
    CompiledRule all = rule("kw:\n  '|all':\n    - evil\n    - worse\ncondition: kw\n");
    assertTrue(all.matches(event("a", "evil", "b", "worse")));
    assertFalse(all.matches(event("a", "evil")));
  }

  @Test
  void numbersNullAndBooleansReachTheCompilerTyped() throws Exception {
    CompiledRule r = rule("sel:\n  Port: 22\n  Flag: true\n  Gone: null\ncondition: sel\n");
    java.util.Map<String, Object> m = new java.util.HashMap<>();
    m.put("Port", 22L);
    m.put("Flag", true);
    m.put("Gone", null);
    assertTrue(r.matches(new MapFields(m)));
    m.put("Port", 23L);
    assertFalse(r.matches(new MapFields(m)));
  }

  @Test
  void conditionCombinesSearchesWithNotAndOfForms() throws Exception {
    String searches =
        "selection_a:\n  A: x\nselection_b:\n  B: x\nfilter_main:\n  F: x\n_helper:\n  H: x\n";
    CompiledRule oneOf = rule(searches + "condition: 1 of selection_* and not 1 of filter*\n");
    assertTrue(oneOf.matches(event("B", "x")));
    assertFalse(oneOf.matches(event("B", "x", "F", "x")));
    assertFalse(oneOf.matches(event("H", "x")));

    CompiledRule allOf = rule(searches + "condition: all of selection_*\n");
    assertTrue(allOf.matches(event("A", "x", "B", "x")));
    assertFalse(allOf.matches(event("A", "x")));

    CompiledRule them = rule(searches + "condition: all of them\n");
    assertTrue(them.matches(event("A", "x", "B", "x", "F", "x")), "_helper is not part of them");
    CompiledRule oneOfThem = rule(searches + "condition: 1 of them\n");
    assertFalse(oneOfThem.matches(event("H", "x")), "_helper is not part of them");
  }

  @Test
  void aListOfConditionsIsOr() throws Exception {
    CompiledRule r = rule("a:\n  A: x\nb:\n  B: x\ncondition:\n  - a\n  - b\n");
    assertTrue(r.matches(event("A", "x")));
    assertTrue(r.matches(event("B", "x")));
    assertFalse(r.matches(event("C", "x")));
  }

  @Test
  void compileErrorsCarryTheItemsPath() {
    SigmaRuleException e =
        assertThrows(
            SigmaRuleException.class,
            () -> rule("selection:\n  Image|endswith: /sh\ncondition: selection\n"));
    assertEquals("detection.selection.Image|endswith", e.where());
  }

  @Test
  void conditionErrorsFailCompilation() {
    SigmaRuleException e =
        assertThrows(SigmaRuleException.class, () -> rule("sel:\n  A: x\ncondition: sel or x\n"));
    assertEquals("detection.condition", e.where());
  }
}
