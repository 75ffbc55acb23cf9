package io.vigil.agent.sensor.process.audit.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StandardRulesTest {

  @Test
  void execRuleOnlyWithoutNetwork() {
    List<AuditRule> rules = StandardRules.forAgent(AuditArch.AARCH64, "k", 5, false);

    assertEquals(1, rules.size());
    assertEquals(Set.of(221, 281), rules.get(0).syscalls());
    assertEquals(
        List.of(
            AuditRule.Condition.arch(AuditArch.AARCH64),
            AuditRule.Condition.success(true),
            AuditRule.Condition.key("k")),
        rules.get(0).conditions());
  }

  @Test
  void networkRulesExcludeTheAgentsOwnPid() {
    List<AuditRule> rules = StandardRules.forAgent(AuditArch.X86_64, "k", 5, true);

    assertEquals(Set.of(42), rules.get(1).syscalls());
    assertEquals(AuditRule.Condition.pidNot(5), rules.get(1).conditions().get(1));
    assertEquals(Set.of(43, 288), rules.get(2).syscalls());
    assertEquals(
        List.of(AuditRule.Condition.success(true), AuditRule.Condition.pidNot(5)),
        rules.get(2).conditions().subList(1, 3));
    rules.forEach(r -> assertEquals("k", r.key().orElseThrow()));
  }

  @Test
  void successfulInetSocketCallsAreAuditedOnePerFamily() {
    List<AuditRule> rules = StandardRules.forAgent(AuditArch.X86_64, "k", 5, true);

    assertEquals(5, rules.size());
    for (int i = 3; i < 5; i++) {
      assertEquals(Set.of(41), rules.get(i).syscalls());
      assertEquals(
          List.of(
              AuditRule.Condition.arch(AuditArch.X86_64),
              AuditRule.Condition.arg0(i == 3 ? 2 : 10), // AF_INET, AF_INET6
              AuditRule.Condition.success(true),
              AuditRule.Condition.pidNot(5),
              AuditRule.Condition.key("k")),
          rules.get(i).conditions());
    }
    assertEquals(
        Set.of(198), StandardRules.forAgent(AuditArch.AARCH64, "k", 5, true).get(3).syscalls());
  }
}
