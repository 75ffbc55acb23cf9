package io.vigil.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.agent.config.AgentConfig;
import io.vigil.collector.config.CollectorConfig;
import io.vigil.testkit.ShadedJars;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The configurations the packages install as {@code /etc/vigil/*.yaml} load through the real
 * loaders (a wrong key would stop the service with exit status 2 right after installation) and say
 * what a packaged host needs.
 */
class PackagedConfigTest {
  private static Path packaged(String relative) {
    return ShadedJars.repoRoot().resolve("installers/deb").resolve(relative);
  }

  @Test
  void packagedAgentConfigLoadsAndWorksBeforeEnrolment() throws Exception {
    AgentConfig c =
        AgentConfig.load(Optional.of(packaged("agent/agent.yaml")), Map.of(), List.of());
    assertEquals(Path.of("/var/lib/vigil/agent"), c.stateDir(), "agent.state_dir");
    // Nothing pins the collector: the address, certificate and CA come from enrolment.
    AgentConfig defaults = AgentConfig.load(Optional.empty(), Map.of(), List.of());
    assertEquals(defaults.collector(), c.collector(), "collector.* must stay at the defaults");
    assertTrue(
        c.file().exclude().contains("/var/lib/vigil"),
        "sensors.file.exclude must leave out /var/lib/vigil (the collector's database writes): "
            + c.file().exclude());
    assertTrue(
        c.file().exclude().containsAll(defaults.file().exclude()),
        "sensors.file.exclude must keep the built-in exclusions " + defaults.file().exclude());
  }

  @Test
  void packagedCollectorConfigLoadsAndListensWhereAFreshCollectorShould() throws Exception {
    CollectorConfig c =
        CollectorConfig.load(
            Optional.of(packaged("collector/collector.yaml")), Map.of(), List.of());
    CollectorConfig defaults = CollectorConfig.load(Optional.empty(), Map.of(), List.of());
    assertEquals(Path.of("/var/lib/vigil/collector"), c.stateDir(), "collector.state_dir");
    assertEquals(defaults.listenAddress(), c.listenAddress(), "listen.address");
    assertEquals(defaults.operator(), c.operator(), "operator.*");
    assertEquals(defaults.metrics(), c.metrics(), "metrics.*");
  }
}
