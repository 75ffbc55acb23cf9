package io.vigil.detect.sigma.match;

import static io.vigil.detect.sigma.match.Fixtures.hits;
import static io.vigil.detect.sigma.match.Fixtures.rule;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Plain values: the spec's case-insensitivity, wildcards and backslash escapes. */
class WildcardAndCaseTest {

  @Test
  void plainValueIsWholeValueAndCaseInsensitive() {
    assertTrue(hits("EventLog", "security", "Security"));
    assertFalse(hits("EventLog", "Security-Auditing", "Security"));
    assertFalse(hits("EventLog", "Securit", "Security"));
  }

  @Test
  void nonAsciiLettersFoldCase() {
    assertTrue(hits("User", "ärger", "ÄRGER"));
    assertTrue(hits("User", "ПРИВЕТ", "привет"));
    assertFalse(hits("User", "привет!", "привет"));
  }

  @Test
  void questionMarkIsExactlyOneCharacter() {
    // Spec example: 'progA.exe or progB.exe or ...' will be 'prog?.exe'
    assertTrue(hits("Image", "progA.exe", "prog?.exe"));
    assertFalse(hits("Image", "prog.exe", "prog?.exe"));
    assertFalse(hits("Image", "progAB.exe", "prog?.exe"));
  }

  @Test
  void starIsAnyRunIncludingNone() {
    // Spec example: 'antivirus_V*.exe'
    assertTrue(hits("Image", "antivirus_V21.2.1.exe", "antivirus_V*.exe"));
    assertTrue(hits("Image", "antivirus_V.exe", "antivirus_V*.exe"));
    assertFalse(hits("Image", "antivirus_V21.exe.bak", "antivirus_V*.exe"));
    assertTrue(hits("Image", "a-b-c-d", "*b*d"));
    assertFalse(hits("Image", "a-b-c", "*b*d"));
    assertTrue(hits("Image", "aXa", "a*a"));
    assertFalse(hits("Image", "a", "a*a"));
  }

  @Test
  void emptyValueMatchesOnlyEmptyText() {
    assertTrue(hits("Description", "", ""));
    assertFalse(hits("Description", " ", ""));
  }

  @Test
  void escapedStarAndQuestionMarkArePlainCharacters() {
    assertTrue(hits("CommandLine", "a*b", "a\\*b"));
    assertFalse(hits("CommandLine", "aXb", "a\\*b"));
    assertTrue(hits("CommandLine", "what?", "what\\?"));
    assertFalse(hits("CommandLine", "whatX", "what\\?"));
  }

  @Test
  void doubledBackslashBeforeWildcardIsBackslashThenWildcard() {
    // '\\*': a plain backslash followed by the '*' wildcard
    assertTrue(hits("Image", "C:\\Windows", "C:\\\\*"));
    assertFalse(hits("Image", "C:Windows", "C:\\\\*"));
  }

  @Test
  void threeBackslashesBeforeWildcardAreBackslashAndPlainWildcard() {
    // '\\\*': the plain value backslash-star
    assertTrue(hits("Image", "a\\*", "a\\\\\\*"));
    assertFalse(hits("Image", "a\\x", "a\\\\\\*"));
  }

  @Test
  void threeOrFourBackslashesBeforeOtherTextAreTwo() {
    assertTrue(hits("Path", "a\\\\b", "a\\\\\\\\b"));
    assertTrue(hits("Path", "a\\\\b", "a\\\\\\b"));
    assertFalse(hits("Path", "a\\b", "a\\\\\\\\b"));
  }

  @Test
  void singleBackslashBeforeOtherTextIsPlain() {
    assertTrue(hits("Image", "C:\\Windows\\cmd.exe", "C:\\Windows\\cmd.exe"));
    assertFalse(hits("Image", "C:/Windows/cmd.exe", "C:\\Windows\\cmd.exe"));
  }

  @Test
  void valuesAreOrEdAndMultiValuedFieldsMatchAnyValue() {
    FieldMatcher m = rule("EventID", 517L, 1102L);
    assertTrue(m.matches(MapFields.of("EventID", 1102L)));
    assertFalse(m.matches(MapFields.of("EventID", 4624L)));
    FieldMatcher tag = rule("Tags", "evil");
    assertTrue(tag.matches(new MapFields().multi("Tags", "good", "EVIL")));
    assertFalse(tag.matches(new MapFields().multi("Tags", "good", "evil2")));
  }

  @Test
  void absentFieldNeverMatchesAValue() {
    assertFalse(rule("Image", "*").matches(MapFields.of("Other", "x")));
  }

  @Test
  void numbersEqualNumbersNumericStringsAndTheirText() {
    assertTrue(hits("EventID", 4738L, 4738));
    assertTrue(hits("EventID", "4738", 4738));
    assertTrue(hits("EventID", 4738.0, 4738));
    assertFalse(hits("EventID", 4739L, 4738));
    assertFalse(hits("EventID", "4738x", 4738));
    // A string rule value matches the text of a numeric event value.
    assertTrue(hits("TicketOptions", 17L, "17"));
    assertTrue(hits("Ratio", 0.5, 0.5));
    assertFalse(hits("Ratio", 0.25, 0.5));
  }

  @Test
  void booleansEqualBooleansAndTheirText() {
    assertTrue(hits("Elevated", true, true));
    assertTrue(hits("Elevated", "TRUE", true));
    assertFalse(hits("Elevated", false, true));
  }

  @Test
  void nullMatchesAbsentFieldOrNullValue() {
    FieldMatcher m = rule("PasswordLastSet", (Object) null);
    assertTrue(m.matches(MapFields.of("Other", "x")));
    assertTrue(m.matches(MapFields.of("PasswordLastSet", null)));
    assertFalse(m.matches(MapFields.of("PasswordLastSet", "")));
    assertFalse(m.matches(MapFields.of("PasswordLastSet", "2024-01-01")));
  }

  @Test
  void nullInAListIsOrEdWithTheOtherValues() {
    FieldMatcher m = rule("FieldB", "", null);
    assertTrue(m.matches(MapFields.of("FieldB", "")));
    assertTrue(m.matches(MapFields.of("Other", "x")));
    assertFalse(m.matches(MapFields.of("FieldB", "x")));
  }
}
