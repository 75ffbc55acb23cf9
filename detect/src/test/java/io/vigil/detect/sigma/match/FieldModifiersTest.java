package io.vigil.detect.sigma.match;

import static io.vigil.detect.sigma.match.Fixtures.hits;
import static io.vigil.detect.sigma.match.Fixtures.list;
import static io.vigil.detect.sigma.match.Fixtures.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.detect.sigma.SigmaRuleException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** exists, neq, fieldref, cidr and expand. */
class FieldModifiersTest {

  @Test
  void existsTrueNeedsTheFieldWhateverItsValue() {
    FieldMatcher m = rule("PasswordLastSet|exists", true);
    assertTrue(m.matches(MapFields.of("PasswordLastSet", "x")));
    assertTrue(m.matches(MapFields.of("PasswordLastSet", "")));
    assertTrue(m.matches(MapFields.of("PasswordLastSet", null)));
    assertFalse(m.matches(MapFields.of("Other", "x")));
  }

  @Test
  void existsFalseNeedsTheFieldAbsent() {
    FieldMatcher m = rule("PasswordLastSet|exists", false);
    assertTrue(m.matches(MapFields.of("Other", "x")));
    assertFalse(m.matches(MapFields.of("PasswordLastSet", null)));
  }

  @Test
  void neqMatchesAPresentFieldThatDiffersFromEveryValue() {
    FieldMatcher m = rule("User|neq", "root", "daemon");
    assertTrue(m.matches(MapFields.of("User", "alice")));
    assertFalse(m.matches(MapFields.of("User", "ROOT")));
    assertFalse(m.matches(MapFields.of("User", "daemon")));
    assertFalse(m.matches(MapFields.of("Other", "alice")));
  }

  @Test
  void neqComparesNumbersAsNumbers() {
    assertTrue(hits("Uid|neq", 1000L, 0));
    assertFalse(hits("Uid|neq", "0", 0));
  }

  @Test
  void fieldrefMatchesWhenTwoFieldsAreEqual() {
    FieldMatcher m = rule("TargetUser|fieldref", "SubjectUser");
    assertTrue(m.matches(MapFields.of("TargetUser", "Alice", "SubjectUser", "alice")));
    assertFalse(m.matches(MapFields.of("TargetUser", "alice", "SubjectUser", "bob")));
    assertFalse(m.matches(MapFields.of("TargetUser", "alice")));
    assertTrue(rule("Uid|fieldref", "Euid").matches(MapFields.of("Uid", 0L, "Euid", "0")));
  }

  @Test
  void fieldrefWithNeqMatchesWhenTheyDiffer() {
    FieldMatcher m = rule("Uid|fieldref|neq", "Euid");
    assertTrue(m.matches(MapFields.of("Uid", 1000L, "Euid", 0L)));
    assertFalse(m.matches(MapFields.of("Uid", 0L, "Euid", 0L)));
    assertFalse(m.matches(MapFields.of("Uid", 0L)));
  }

  @Test
  void fieldrefCasedComparesCaseSensitively() {
    FieldMatcher m = rule("A|fieldref|cased", "B");
    assertTrue(m.matches(MapFields.of("A", "x", "B", "x")));
    assertFalse(m.matches(MapFields.of("A", "x", "B", "X")));
  }

  @Test
  void cidrMatchesIpv4Ranges() {
    // Spec example: DestinationIp|cidr: 10.0.0.0/8
    assertTrue(hits("DestinationIp|cidr", "10.200.3.4", "10.0.0.0/8"));
    assertFalse(hits("DestinationIp|cidr", "11.0.0.1", "10.0.0.0/8"));
    assertTrue(hits("DestinationIp|cidr", "192.168.1.130", "192.168.1.128/25"));
    assertFalse(hits("DestinationIp|cidr", "192.168.1.127", "192.168.1.128/25"));
    assertTrue(hits("DestinationIp|cidr", "::ffff:10.1.2.3", "10.0.0.0/8"));
  }

  @Test
  void cidrMatchesIpv6Ranges() {
    assertTrue(hits("DestinationIp|cidr", "fe80::1%eth0", "fe80::/10"));
    assertTrue(hits("DestinationIp|cidr", "FEBF:ffff::1", "fe80::/10"));
    assertFalse(hits("DestinationIp|cidr", "fec0::1", "fe80::/10"));
    assertTrue(hits("DestinationIp|cidr", "2001:db8:0:0:0:0:0:1", "2001:db8::/32"));
    assertFalse(hits("DestinationIp|cidr", "2001:db9::1", "2001:db8::/32"));
    assertTrue(hits("DestinationIp|cidr", "::1", "::1/128"));
  }

  @Test
  void cidrNeverMatchesAcrossFamiliesOrNonAddresses() {
    assertFalse(hits("DestinationIp|cidr", "10.0.0.1", "::/0"));
    assertFalse(hits("DestinationIp|cidr", "localhost", "0.0.0.0/0"));
    assertFalse(hits("DestinationIp|cidr", "10.0.0.256", "0.0.0.0/0"));
    assertFalse(hits("DestinationIp|cidr", "1:2:3:4:5:6:7:8:9", "::/0"));
  }

  @Test
  void expandReplacesPlaceholdersWithEachConfiguredValue() throws SigmaRuleException {
    Map<String, List<String>> ph = Map.of("Administrators", List.of("root", "admin*"));
    FieldMatcher m = FieldMatchers.compile("User|expand", list("%Administrators%"), ph);
    assertTrue(m.matches(MapFields.of("User", "ROOT")));
    assertTrue(m.matches(MapFields.of("User", "admin-ops")));
    assertFalse(m.matches(MapFields.of("User", "alice")));
  }

  @Test
  void expandCombinesSeveralPlaceholdersAndKeepsEscapedPercent() throws SigmaRuleException {
    Map<String, List<String>> ph = Map.of("a", List.of("x", "y"), "b", List.of("1"));
    FieldMatcher m = FieldMatchers.compile("F|expand", list("\\%lit%a%-%b%"), ph);
    assertTrue(m.matches(MapFields.of("F", "%litx-1")));
    assertTrue(m.matches(MapFields.of("F", "%lity-1")));
    assertFalse(m.matches(MapFields.of("F", "%litz-1")));
  }

  @Test
  void withoutExpandAPlaceholderIsLiteral() {
    assertTrue(hits("User", "%Administrators%", "%Administrators%"));
    assertFalse(hits("User", "root", "%Administrators%"));
  }

  @Test
  void expandWithAnUnknownPlaceholderIsARuleError() {
    SigmaRuleException e =
        assertThrows(
            SigmaRuleException.class,
            () -> FieldMatchers.compile("User|expand", list("%Servers%"), Map.of()));
    assertEquals("User|expand", e.where());
    assertTrue(e.getMessage().contains("%Servers%"), e.getMessage());
  }
}
