package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.Deployment;
import io.vigil.testkit.VigilProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad config names every bad key by its path, exits with code 2 and starts nothing. */
class BadConfigTest {
  @TempDir Path dir;

  @Test
  void agentReportsEveryBadKeyAndExits2() throws Exception {
    Path state = dir.resolve("state");
    Path cfg = dir.resolve("agent.yaml");
    Files.writeString(
        cfg,
        String.join(
            "\n",
            "agent:",
            "  state_dir: " + state,
            "spool:",
            "  max_bytes: lots",
            "shipper:",
            "  batch_max_delay: soon",
            "sensors:",
            "  synthetc:",
            "    enabled: true",
            ""));
    Path log = dir.resolve("agent.log");
    int code =
        VigilProcess.run(
            Deployment.AGENT_MAIN, log, Duration.ofMinutes(1), "run", "--config", cfg.toString());
    String out = Files.readString(log);
    assertEquals(2, code, out);
    assertTrue(out.contains("spool.max_bytes"), out);
    assertTrue(out.contains("shipper.batch_max_delay"), out);
    assertTrue(out.contains("sensors.synthetc"), out);
    assertFalse(Files.exists(state), "nothing may start on a bad config");
  }

  @Test
  void collectorReportsEveryBadKeyAndExits2() throws Exception {
    Path state = dir.resolve("state");
    Path cfg = dir.resolve("collector.yaml");
    Files.writeString(
        cfg,
        String.join(
            "\n",
            "collector:",
            "  state_dir: " + state,
            "listen:",
            "  address: not-a-port",
            "ingest:",
            "  hole_grace: soonish",
            "  max_message_bytes: 12 parsecs",
            ""));
    Path log = dir.resolve("collector.log");
    int code =
        VigilProcess.run(
            Deployment.COLLECTOR_MAIN,
            log,
            Duration.ofMinutes(1),
            "run",
            "--config",
            cfg.toString());
    String out = Files.readString(log);
    assertEquals(2, code, out);
    assertTrue(out.contains("listen.address"), out);
    assertTrue(out.contains("ingest.hole_grace"), out);
    assertTrue(out.contains("ingest.max_message_bytes"), out);
    assertFalse(Files.exists(state), "nothing may start on a bad config");
  }

  @Test
  void missingConfigFileIsAnErrorWithExitCode2() throws Exception {
    Path log = dir.resolve("agent.log");
    int code =
        VigilProcess.run(
            Deployment.AGENT_MAIN,
            log,
            Duration.ofMinutes(1),
            "run",
            "--config",
            dir.resolve("nope.yaml").toString());
    String out = Files.readString(log);
    assertEquals(2, code, out);
    assertTrue(out.contains("nope.yaml"), out);
  }
}
