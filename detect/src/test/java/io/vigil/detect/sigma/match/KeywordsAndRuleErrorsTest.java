package io.vigil.detect.sigma.match;

import static io.vigil.detect.sigma.match.Fixtures.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.sigma.SigmaRuleException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keyword searches, and the rule errors that name what is wrong. */
class KeywordsAndRuleErrorsTest {

  private static FieldMatcher keywords(List<String> modifiers, Object... values)
      throws SigmaRuleException {
    return FieldMatchers.keywords(list(values), modifiers);
  }

  @Test
  void keywordIsFoundInsideAnyStringField() throws SigmaRuleException {
    // Spec example: keywords 'EVILSERVICE' or 'svchost.exe -n evil'
    FieldMatcher m = keywords(List.of(), "EVILSERVICE", "svchost.exe -n evil");
    assertTrue(m.matches(MapFields.of("Pid", 4L, "Message", "started EvilService now")));
    assertTrue(m.matches(MapFields.of("CommandLine", "svchost.exe -n evil -x")));
    assertFalse(m.matches(MapFields.of("Message", "svchost.exe -n good")));
  }

  @Test
  void keywordsWithAllNeedEveryValueSomewhere() throws SigmaRuleException {
    FieldMatcher m = keywords(List.of("all"), "event::clear", "mimikatz");
    assertTrue(m.matches(MapFields.of("A", "mimikatz #", "B", "event::clear")));
    assertFalse(m.matches(MapFields.of("A", "mimikatz #", "B", "event::drop")));
  }

  @Test
  void keywordModifiersApply() throws SigmaRuleException {
    FieldMatcher m = keywords(List.of("startswith", "cased"), "Evil");
    assertTrue(m.matches(MapFields.of("A", "Evil thing")));
    assertFalse(m.matches(MapFields.of("A", "evil thing")));
    assertFalse(m.matches(MapFields.of("A", "an Evil thing")));
    FieldMatcher re = keywords(List.of("re"), "^[0-9]+$");
    assertTrue(re.matches(MapFields.of("A", "x", "B", "123")));
    assertFalse(re.matches(MapFields.of("A", "x1")));
  }

  @Test
  void keywordsCannotUseFieldModifiers() {
    SigmaRuleException e =
        assertThrows(SigmaRuleException.class, () -> keywords(List.of("cidr"), "10.0.0.0/8"));
    assertTrue(e.getMessage().contains("cidr"), e.getMessage());
  }

  @Test
  void unknownModifierIsNamed() {
    SigmaRuleException e =
        assertThrows(
            SigmaRuleException.class, () -> FieldMatchers.compile("Image|endswithh", list("x")));
    assertEquals("Image|endswithh", e.where());
    assertTrue(e.getMessage().contains("'endswithh'"), e.getMessage());
  }

  @Test
  void badCombinationsAreRejected() {
    String[][] bad = {
      {"A|contains|startswith", "x"},
      {"A|re|contains", "x"},
      {"A|i", "x"},
      {"A|cidr|contains", "10.0.0.0/8"},
      {"A|exists|neq", "x"},
      {"A|lt|gt", "x"},
      {"A|base64|base64offset", "x"},
      {"A|utf16le|wide", "x"},
      {"A|contains|contains", "x"},
      {"A|fieldref|contains", "B"},
    };
    for (String[] b : bad) {
      assertThrows(SigmaRuleException.class, () -> FieldMatchers.compile(b[0], list(b[1])), b[0]);
    }
  }

  @Test
  void valuesModifiersCannotTakeAreRejected() {
    assertThrows(SigmaRuleException.class, () -> FieldMatchers.compile("A|lt", list("x")));
    assertThrows(SigmaRuleException.class, () -> FieldMatchers.compile("A|cidr", list("10.0/8")));
    assertThrows(SigmaRuleException.class, () -> FieldMatchers.compile("A|re", list("(")));
    assertThrows(SigmaRuleException.class, () -> FieldMatchers.compile("A|gt", list(Double.NaN)));
    assertThrows(SigmaRuleException.class, () -> FieldMatchers.compile("A|exists", list("yes")));
    assertThrows(
        SigmaRuleException.class, () -> FieldMatchers.compile("A|contains|all", list("x")));
    assertThrows(
        SigmaRuleException.class, () -> FieldMatchers.compile("A|contains|base64", list("x")));
    assertThrows(
        SigmaRuleException.class, () -> FieldMatchers.compile("A|contains", list((Object) null)));
  }
}
