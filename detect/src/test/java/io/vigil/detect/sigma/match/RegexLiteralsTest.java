package io.vigil.detect.sigma.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RegexLiteralsTest {

  private static List<String> of(String regex) {
    return RegexLiterals.of(Pattern.compile(regex));
  }

  @Test
  void literalRunsAndSmallAlternationsCombine() {
    assertEquals(
        List.of("-w", "-r"), of("-(W|R)\\s?(\\s|\"|')([0-9a-fA-F]{2}\\s?){2,20}(\\s|\"|')"));
    assertEquals(List.of("-d"), of("-D"));
    assertEquals(List.of("abc", "defh", "degh"), of("abc|de(f|g)h"));
    assertEquals(List.of("x.*y"), of("x\\Q.*\\Ey"));
    assertEquals(List.of("\\server"), of("\\\\server"));
    assertEquals(List.of("/tmp/"), of("^/tmp/[a-z]+\\.sh$"));
  }

  @Test
  void optionalAndRepeatedPartsEndARun() {
    assertEquals(List.of("foo"), of("foo\\d+bar"));
    assertEquals(List.of("a"), of("ab?c"));
    assertEquals(List.of("abc"), of("abc(de)*"));
    assertEquals(List.of("abcd"), of("a(?:bc){1}d"));
  }

  @Test
  void lookaroundsConsumeNothingAndAreNotRequired() {
    // The lookahead's text is checked, not consumed: 'ad' is what a match spans.
    assertEquals(List.of("ad"), of("a(?=bc)d"));
    assertEquals(List.of("password"), of("(?<!x)password"));
  }

  @Test
  void givesUpWhereItCannotBeSure() {
    assertNull(of("(.){200,}"));
    assertNull(of("(?i)abc"), "inline flags");
    assertNull(of("(a)\\1"), "back-reference");
    assertNull(of("\\x41bc"), "hex escape");
    assertNull(of("a|"), "an empty alternative requires nothing");
    assertNull(RegexLiterals.of(Pattern.compile("a b", Pattern.COMMENTS)));
  }

  /** The property the engine relies on: every text with a match contains one of the literals. */
  @Test
  void everyMatchingTextContainsALiteral() {
    String[][] cases = {
      {"-(W|R)\\s?(\\s|\"|')([0-9a-fA-F]{2}\\s?){2,20}(\\s|\"|')", "pnscan -R '41 42 43 '"},
      {"(?:\\s-[^-\\s]{0,20}i|\\s--inode\\s)", "ls -lai /"},
      {"(?:\\s-[^-\\s]{0,20}i|\\s--inode\\s)", "ls --inode /proc"},
      {"\\s-[FTd]\\s", "nc -d 10.0.0.1"},
      {"a(?=dc)d", "xadc"},
      {"[Ee]vil(Corp|Inc)\\b", "EvilInc rocks"},
      {"^/tmp/[a-z]+\\.sh$", "/tmp/run.sh"},
      {"x\\Q.*\\Ey", "x.*y"},
      {"ab?c", "zac"},
    };
    for (String[] c : cases) {
      Pattern p = Pattern.compile(c[0]);
      assertTrue(p.matcher(c[1]).find(), c[0] + " should match " + c[1]);
      assertContainsOne(RegexLiterals.of(p), c[1], c[0]);
    }
  }

  @Test
  void caseInsensitiveMatchesStillContainTheFoldedLiteral() {
    Pattern p = Pattern.compile("shadow\\b", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    assertTrue(p.matcher("cat /etc/SHADOW").find());
    assertContainsOne(RegexLiterals.of(p), "cat /etc/SHADOW", p.pattern());
    // The Kelvin sign matches 'k' case-insensitively; folding maps it to 'k' too.
    Pattern k = Pattern.compile("kernel", Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    assertTrue(k.matcher("\u212Aernel").find());
    assertContainsOne(RegexLiterals.of(k), "\u212Aernel", k.pattern());
  }

  private static void assertContainsOne(List<String> literals, String text, String regex) {
    assertNotNull(literals, regex);
    String folded = CaseFold.fold(text);
    assertTrue(
        literals.stream().anyMatch(folded::contains),
        regex + ": none of " + literals + " in " + text);
  }
}
