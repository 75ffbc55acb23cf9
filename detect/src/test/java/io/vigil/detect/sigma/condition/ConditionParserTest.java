package io.vigil.detect.sigma.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.sigma.SigmaRuleException;
import io.vigil.detect.sigma.condition.ConditionNode.And;
import io.vigil.detect.sigma.condition.ConditionNode.Identifier;
import io.vigil.detect.sigma.condition.ConditionNode.Not;
import io.vigil.detect.sigma.condition.ConditionNode.Or;
import io.vigil.detect.sigma.condition.ConditionNode.Quantified;
import io.vigil.detect.sigma.condition.ConditionNode.Quantifier;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionParserTest {
  private static final List<String> IDS =
      List.of("a", "b", "c", "selection_img", "selection_cli", "filter_main", "_helper");

  private static ConditionNode parse(String condition) throws SigmaRuleException {
    return ConditionParser.parse(condition, IDS, "detection.condition");
  }

  private static Identifier id(String name) {
    return new Identifier(name);
  }

  @Test
  void notBindsTighterThanAndWhichBindsTighterThanOr() throws Exception {
    assertEquals(
        new Or(List.of(id("a"), new And(List.of(new Not(id("b")), id("c"))))),
        parse("a or not b and c"));
  }

  @Test
  void parenthesesOverridePrecedence() throws Exception {
    assertEquals(
        new And(List.of(new Or(List.of(id("a"), id("b"))), id("c"))), parse("(a or b) and c"));
    assertEquals(new Not(new Or(List.of(id("a"), id("b")))), parse("not (a or b)"));
    assertEquals(id("a"), parse("((a))"));
  }

  @Test
  void chainsOfTheSameOperatorFlatten() throws Exception {
    assertEquals(new And(List.of(id("a"), id("b"), id("c"))), parse("a and b and c"));
  }

  @Test
  void ofFormsResolvePatternsToIdentifiersInRuleOrder() throws Exception {
    assertEquals(
        new Quantified(Quantifier.ONE, "selection_*", List.of("selection_img", "selection_cli")),
        parse("1 of selection_*"));
    assertEquals(
        new Quantified(Quantifier.ALL, "*_img", List.of("selection_img")), parse("all of *_img"));
    assertEquals(
        new Quantified(Quantifier.ALL, "filter_main", List.of("filter_main")),
        parse("all of filter_main"));
  }

  @Test
  void themLeavesOutUnderscoreIdentifiers() throws Exception {
    Quantified q = (Quantified) parse("1 of them");
    assertEquals(IDS.subList(0, 6), q.identifiers());
    assertEquals(Quantifier.ALL, ((Quantified) parse("all of them")).quantifier());
  }

  @Test
  void ofBindsTighterThanNotAndAnd() throws Exception {
    assertEquals(
        new And(
            List.of(
                new Quantified(
                    Quantifier.ONE, "selection*", List.of("selection_img", "selection_cli")),
                new Not(new Quantified(Quantifier.ONE, "filter*", List.of("filter_main"))))),
        parse("1 of selection* and not 1 of filter*"));
  }

  @Test
  void aListOfConditionsIsTheirOr() throws Exception {
    var detection =
        new io.vigil.detect.sigma.rule.Detection(
            java.util.Map.of(
                "a", new io.vigil.detect.sigma.rule.SearchIdentifier.Keywords(List.of("x")),
                "b", new io.vigil.detect.sigma.rule.SearchIdentifier.Keywords(List.of("y"))),
            List.of("a", "not b"));
    assertEquals(new Or(List.of(id("a"), new Not(id("b")))), ConditionParser.parse(detection));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "a or x; 6; unknown search identifier 'x'",
        "a b; 3; unexpected 'b' after a complete condition",
        "a and; 6; expected a search identifier",
        "(a or b; 8; expected ')' to close '(' at position 1",
        "a or b); 7; unexpected ')'",
        "1 of nothing*; 6; 'nothing*' matches no search identifier",
        "selection*; 1; needs '1 of' or 'all of'",
        "a | count() > 5; 3; aggregations",
        "2 of selection*; 1; only '1 of' and 'all of'",
        "any of selection*; 1; 'any of' is not Sigma",
        "1 selection*; 3; expected 'of'",
        "all of (a); 8; expected a search identifier pattern or 'them'",
        "A; 1; unknown search identifier 'A'",
        "; 1; expected a search identifier",
      })
  void errorsNameThePosition(String condition, int position, String message) {
    SigmaRuleException e =
        assertThrows(SigmaRuleException.class, () -> parse(condition == null ? "" : condition));
    assertEquals("detection.condition", e.where());
    assertTrue(e.getMessage().contains("at position " + position + ": "), e.getMessage());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void deepNestingIsRefusedInsteadOfOverflowingTheStack() {
    String deep = "(".repeat(10_000) + "a" + ")".repeat(10_000);
    SigmaRuleException e = assertThrows(SigmaRuleException.class, () -> parse(deep));
    assertTrue(e.getMessage().contains("nested deeper than"), e.getMessage());
    SigmaRuleException nots =
        assertThrows(SigmaRuleException.class, () -> parse("not ".repeat(10_000) + "a"));
    assertTrue(nots.getMessage().contains("nested deeper than"), nots.getMessage());
  }
}
