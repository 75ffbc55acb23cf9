package io.vigil.collector.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.AgentBudget;
import io.vigil.proto.v1.AgentHealth;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.AgentStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent over its own budget is a health problem in words, with its level. */
class HealthProblemsBudgetTest {
  private static List<String> problems(AgentStatus s) {
    AgentRecord a =
        AgentRecord.newBuilder()
            .setAgentId("a")
            .setHealth(AgentHealth.newBuilder().setStatus(s))
            .build();
    return HealthProblems.of(a, 1, Long.MAX_VALUE);
  }

  private static AgentStatus at(AgentBudget.Level level, String reason) {
    return AgentStatus.newBuilder()
        .setBudget(AgentBudget.newBuilder().setLevel(level).setReason(reason))
        .build();
  }

  @Test
  void reducedAndSheddingAreProblemsWithTheirReasonAndLevel() {
    assertEquals(
        List.of("over budget: CPU 71% of one core over 30s, budget 50% (SHEDDING)"),
        problems(at(AgentBudget.Level.LEVEL_SHEDDING, "CPU 71% of one core over 30s, budget 50%")));
    assertEquals(
        List.of("over budget: memory: RssAnon 300MiB, budget 256MiB (REDUCED)"),
        problems(at(AgentBudget.Level.LEVEL_REDUCED, "memory: RssAnon 300MiB, budget 256MiB")));
    assertEquals(
        List.of("over budget: (no reason given) (REDUCED)"),
        problems(at(AgentBudget.Level.LEVEL_REDUCED, "")));
  }

  @Test
  void withinBudgetOrWithoutOneIsNoProblem() {
    assertTrue(problems(at(AgentBudget.Level.LEVEL_NORMAL, "")).isEmpty());
    assertTrue(problems(AgentStatus.getDefaultInstance()).isEmpty());
  }

  @Test
  void theReasonIsBounded() {
    String p = problems(at(AgentBudget.Level.LEVEL_SHEDDING, "x".repeat(10_000))).get(0);
    assertTrue(p.length() < 300, p);
    assertTrue(p.endsWith("(SHEDDING)"), p);
  }
}
