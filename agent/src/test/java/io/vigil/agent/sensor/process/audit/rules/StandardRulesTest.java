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
  void networkRulesArePerInetFamilyAndExcludeTheAgentsOwnPid() {
    List<AuditRule> rules = StandardRules.forAgent(AuditArch.X86_64, "k", 5, true);

    assertEquals(7, rules.size());
    int[] families = {2, 10}; // AF_INET, AF_INET6
    for (int f = 0; f < 2; f++) {
      AuditRule connect = rules.get(1 + 3 * f);
      AuditRule accept = rules.get(2 + 3 * f);
      AuditRule socket = rules.get(3 + 3 * f);
      assertEquals(Set.of(42), connect.syscalls());
      assertEquals(
          List.of(
              AuditRule.Condition.arch(AuditArch.X86_64),
              AuditRule.Condition.socketFamily(families[f]),
              AuditRule.Condition.pidNot(5),
              AuditRule.Condition.key("k")),
          connect.conditions());
      assertEquals(Set.of(43, 288), accept.syscalls());
      assertEquals(
          List.of(
              AuditRule.Condition.arch(AuditArch.X86_64),
              AuditRule.Condition.socketFamily(families[f]),
              AuditRule.Condition.success(true),
              AuditRule.Condition.pidNot(5),
              AuditRule.Condition.key("k")),
          accept.conditions());
      assertEquals(Set.of(41), socket.syscalls());
      assertEquals(
          List.of(
              AuditRule.Condition.arch(AuditArch.X86_64),
              AuditRule.Condition.arg0(families[f]),
              AuditRule.Condition.success(true),
              AuditRule.Condition.pidNot(5),
              AuditRule.Condition.key("k")),
          socket.conditions());
    }
    assertEquals(
        Set.of(198), StandardRules.forAgent(AuditArch.AARCH64, "k", 5, true).get(3).syscalls());
  }
}
