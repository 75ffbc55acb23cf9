package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.testkit.Deployment;
import io.vigil.testkit.VigilProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operator roles with real processes: a {@code viewer} API token cannot send a command to an agent,
 * a {@code responder} can, and the collector's audit log names both operators with the outcome.
 */
class OperatorRolesTest {
  @TempDir Path dir;

  @Test
  void aViewerCannotCommandAnAgentAResponderCanAndTheAuditNamesBoth() throws Exception {
    try (Deployment d = new Deployment(dir)) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(50, 50);
      d.awaitStored(50, Duration.ofMinutes(1), agent, collector);
      String agentId = Files.readString(d.agentState().resolve("agent-id")).trim();

      Path alice = dir.resolve("alice.token");
      Path bob = dir.resolve("bob.token");
      create(d, "vigil-test-alice", "viewer", alice);
      create(d, "vigil-test-bob", "responder", bob);

      assertEquals(1, d.vigilctl("--token-file", alice.toString(), "ping", agentId));
      String denied = d.lastToolLog();
      assertTrue(denied.contains("needs responder"), denied);

      assertEquals(
          0,
          d.vigilctl("--token-file", bob.toString(), "ping", agentId, "--wait", "60s"),
          d.lastToolLog());
      assertTrue(d.lastToolLog().contains("ping"), d.lastToolLog());

      assertEquals(0, d.vigilctl("audit"), d.lastToolLog());
      List<String> rows = d.lastToolLog().lines().toList();
      assertTrue(
          rows.stream()
              .anyMatch(
                  r ->
                      r.contains("vigil-test-alice")
                          && r.contains("SendCommand")
                          && r.contains("denied")),
          "alice's attempt is audited as denied:\n" + String.join("\n", rows));
      assertTrue(
          rows.stream()
              .anyMatch(
                  r ->
                      r.contains("vigil-test-bob")
                          && r.contains("SendCommand")
                          && r.contains("ok")),
          "bob's ping is audited:\n" + String.join("\n", rows));
    }
  }

  private static void create(Deployment d, String operator, String role, Path file)
      throws Exception {
    assertEquals(
        0,
        d.vigilctl(
            "api-token",
            "create",
            "--operator",
            operator,
            "--role",
            role,
            "--output",
            file.toString()),
        d.lastToolLog());
    assertTrue(Files.isRegularFile(file), d.lastToolLog());
  }
}
