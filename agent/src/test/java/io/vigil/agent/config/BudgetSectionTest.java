package io.vigil.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.common.config.ConfigException;
import io.vigil.common.config.ConfigLoader;
import io.vigil.common.config.ConfigNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BudgetSectionTest {
  /** Binds {@code budget}. */
  private static BudgetSection bind(String... sets) throws ConfigException {
    ConfigNode root =
        ConfigLoader.load(Optional.empty(), Map.of(), AgentConfig.ENV_PREFIX, List.of(sets));
    BudgetSection s = BudgetSection.bind(root.child("budget"));
    root.finish();
    return s;
  }

  private static List<String> problems(String... sets) {
    return assertThrows(ConfigException.class, () -> bind(sets)).problems();
  }

  private static void assertProblem(List<String> problems, String start) {
    assertTrue(
        problems.stream().anyMatch(s -> s.startsWith(start)),
        "no problem starting with \"" + start + "\" in " + problems);
  }

  @Test
  void defaults() throws ConfigException {
    BudgetSection s = bind();
    assertEquals(BudgetSection.defaults(), s);
    assertTrue(s.enabled());
    assertEquals(50, s.cpuPercent());
    assertEquals(256L << 20, s.memoryBytes());
    assertEquals(Duration.ofSeconds(30), s.window());
    assertEquals(Duration.ofSeconds(5), s.interval());
    assertEquals(80, s.recoverBelowPercent());
    assertEquals(Duration.ofSeconds(60), s.recoverAfter());
  }

  @Test
  void everyKeyIsRead() throws ConfigException {
    BudgetSection s =
        bind(
            "budget.enabled=false",
            "budget.cpu=150.5",
            "budget.memory=300MiB",
            "budget.window=10s",
            "budget.interval=500ms",
            "budget.recover_below=70",
            "budget.recover_after=2m");
    assertFalse(s.enabled());
    assertEquals(150.5, s.cpuPercent());
    assertEquals(300L << 20, s.memoryBytes());
    assertEquals(Duration.ofSeconds(10), s.window());
    assertEquals(Duration.ofMillis(500), s.interval());
    assertEquals(70, s.recoverBelowPercent());
    assertEquals(Duration.ofMinutes(2), s.recoverAfter());
  }

  @Test
  void theWholeAgentConfigCarriesIt() throws ConfigException {
    AgentConfig c =
        AgentConfig.load(
            Optional.empty(),
            Map.of("VIGIL_AGENT__BUDGET__CPU", "25"),
            List.of("agent.state_dir=" + Path.of("/tmp/vigil-test-budget")));
    assertEquals(25, c.budget().cpuPercent());
  }

  @Test
  void badValuesNameTheirKey() {
    assertProblem(problems("budget.cpu=0"), "budget.cpu: must be greater than 0");
    assertProblem(problems("budget.cpu=-5"), "budget.cpu");
    assertProblem(problems("budget.cpu=6401"), "budget.cpu"); // a fixed bound: 64 cores
    assertProblem(problems("budget.cpu=lots"), "budget.cpu");
    assertProblem(problems("budget.memory=1MiB"), "budget.memory");
    assertProblem(problems("budget.memory=much"), "budget.memory");
    assertProblem(problems("budget.window=0s"), "budget.window");
    assertProblem(problems("budget.window=2h"), "budget.window");
    assertProblem(problems("budget.interval=10ms"), "budget.interval");
    assertProblem(
        problems("budget.window=2s", "budget.interval=5s"),
        "budget.interval: must not be longer than budget.window");
    assertProblem(problems("budget.recover_below=100"), "budget.recover_below");
    assertProblem(problems("budget.recover_below=5"), "budget.recover_below");
    assertProblem(problems("budget.recover_after=0s"), "budget.recover_after");
    assertProblem(problems("budget.enabled=maybe"), "budget.enabled");
    assertProblem(problems("budget.cpus=5"), "budget.cpus");
  }

  @Test
  void theCpuBoundDoesNotDependOnTheHost() throws ConfigException {
    // A fleet-wide value must be valid on a one-core host (or under CPUQuota) too: exit 2 there
    // would keep the agent down (RestartPreventExitStatus=2).
    assertEquals(6400, bind("budget.cpu=6400").cpuPercent());
    assertEquals(150, bind("budget.cpu=150").cpuPercent());
  }
}
