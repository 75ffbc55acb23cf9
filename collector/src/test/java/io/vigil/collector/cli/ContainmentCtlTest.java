package io.vigil.collector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.api.OperatorFixture;
import io.vigil.collector.command.TestAgents;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vigilctl} commands to agents end to end: the real operator API over TLS, real agent
 * streams in-process answering as the test says; results shown escaped, exit codes 0, 1, 2, 3.
 */
class ContainmentCtlTest {
  /** Clears the screen, starts a new line, and flips the text direction. */
  private static final String HOSTILE = "x\u001b[2J\nfake line\u202e";

  @TempDir Path dir;
  private TestAgents side;
  private OperatorFixture api;
  private Path token;
  private final String agentId = UUID.randomUUID().toString();
  private final CtlRunner vigilctl = new CtlRunner(WallClock::nowNanos);

  @BeforeEach
  void start() throws Exception {
    side = new TestAgents(dir.resolve("vigil.db"));
    api = OperatorFixture.start(dir, side.agents);
    api.trust.enrolled(agentId, "web-1");
    token = api.tokenFile("rick", api.token("rick", "responder"));
  }

  @AfterEach
  void stop() throws Exception {
    api.close();
    side.close();
  }

  private int ctl(String... args) {
    return vigilctl.ctl(api.ctlArgs(token), args);
  }

  private String out() {
    return vigilctl.out();
  }

  private String err() {
    return vigilctl.err();
  }

  /** Quarantine succeeds with hostile facts; kill is rejected; anything else fails. */
  private Function<Command, CommandResult> answers() {
    return c ->
        switch (c.getActionCase()) {
          case QUARANTINE ->
              side.result(
                  c,
                  CommandResult.Outcome.OUTCOME_SUCCEEDED,
                  "moved " + HOSTILE,
                  Map.of("sha256", "ab12", "quarantine_id", "q-7", "mode", HOSTILE));
          case ISOLATE ->
              side.result(
                  c,
                  CommandResult.Outcome.OUTCOME_SUCCEEDED,
                  "isolated",
                  Map.of(
                      "isolated",
                      "true",
                      "allow",
                      String.join(";", c.getIsolate().getAllowList())));
          case KILL ->
              side.result(c, CommandResult.Outcome.OUTCOME_REJECTED, "pid 1 is init", Map.of());
          default -> side.result(c, CommandResult.Outcome.OUTCOME_FAILED, "cannot", Map.of());
        };
  }

  @Test
  void aSucceededCommandExitsZeroAndShowsItsFactsSortedAndEscaped() throws Exception {
    side.connect(agentId, "web-1", answers());
    assertEquals(0, ctl("quarantine", "web-1", "/tmp/evil"), err());
    List<String> lines = out().lines().toList();
    assertTrue(
        lines
            .get(0)
            .startsWith(
                "quarantine web-1 (agent "
                    + agentId
                    + "): succeeded: moved x\\x1b[2J\\x0afake line"),
        lines.get(0));
    assertTrue(lines.get(1).startsWith("  mode=x\\x1b"), out());
    assertEquals(List.of("  quarantine_id=q-7", "  sha256=ab12"), lines.subList(2, 4));
    assertTrue(lines.get(4).startsWith("command "), out());
    CtlRunner.assertTerminalSafe(out());

    assertEquals(
        0,
        ctl(
            "isolate",
            "web-1",
            "--allow",
            "10.0.0.5 tcp/22",
            "--allow=dhcp",
            "--timeout-ms",
            "5000"),
        err());
    assertTrue(out().contains("  allow=10.0.0.5 tcp/22;dhcp"), out());

    assertEquals(0, ctl("quarantine", "web-1", "/tmp/evil", "--json"), err());
    String json = out().strip();
    assertTrue(json.startsWith("{\"command_id\":\""), json);
    assertTrue(json.contains("\"status\":\"done\""), json);
    assertTrue(json.contains("\"facts\":{\"mode\":\"x\\u001b[2J\\nfake line"), json);
    assertTrue(json.contains("\"quarantine_id\":\"q-7\",\"sha256\":\"ab12\"}"), json);

    assertEquals(0, ctl("hosts"));
    assertTrue(out().contains("web-1") && out().contains(agentId), out());
    assertTrue(out().contains("yes since "), "isolated: " + out());
    assertEquals(0, ctl("commands", "web-1", "--limit", "2"));
    List<String> listed = out().lines().toList();
    assertEquals(3, listed.size(), out());
    assertTrue(listed.get(1).contains("quarantine") && listed.get(1).contains("done"), out());
    assertTrue(listed.get(2).contains("isolate") && listed.get(2).contains("isolated=true"), out());
    CtlRunner.assertTerminalSafe(out());
  }

  @Test
  void failedRejectedAndExpiredCommandsExitOne() throws Exception {
    side.connect(agentId, "web-1", answers());
    assertEquals(1, ctl("kill", "web-1", "4242", "--entity", "E1", "--tree"), out());
    assertTrue(out().contains("): rejected: pid 1 is init"), out());
    assertEquals(1, ctl("block", "web-1", "203.0.113.9"), out());
    assertTrue(out().contains("): failed: cannot"), out());
  }

  @Test
  void aCommandForAnAbsentAgentIsQueuedAndExitsThree() throws Exception {
    assertEquals(3, ctl("snapshot", "web-1", "--wait-ms", "0", "--ttl", "1h"), err());
    assertTrue(
        out().contains("queued: the agent is not connected; the command waits for it until about"),
        out());
    assertEquals(0, ctl("hosts", "--json"));
    assertTrue(out().contains("\"pending_commands\":1"), out());
    assertEquals(0, ctl("commands"));
    assertTrue(out().contains("snapshot") && out().contains("queued"), out());

    // Still running: sent, no result within the wait.
    side.connect(agentId, "web-1", null).received.poll(60, TimeUnit.SECONDS);
    assertEquals(3, ctl("release", "web-1", "--wait-ms", "200"), out());
    assertTrue(out().contains("sent, still running: no result within 0.2 s"), out());
  }

  @Test
  void badArgumentsAreUsageErrors() {
    List<String[]> bad =
        List.of(
            new String[] {"kill", "web-1"},
            new String[] {"kill", "web-1", "12x"},
            new String[] {"kill", "web-1", "12", "--entity", " "},
            new String[] {"isolate"},
            new String[] {"isolate", "web-1", "extra"},
            new String[] {"quarantine", "web-1", "tmp/relative"},
            new String[] {"block", "web-1", "evil.example"},
            new String[] {"collect", "web-1", "/etc/x", "--max-bytes", "-5"},
            new String[] {"snapshot", "web-1", "--wait-ms", "999999"},
            new String[] {"snapshot", "web-1", "--ttl", "30d"},
            new String[] {"release", "web-1", "--allow", "dhcp"},
            new String[] {"snapshot", "web-1", "--tree"},
            new String[] {"kill", "web-1", "99"},
            new String[] {"commands", "a", "b"});
    for (String[] args : bad) {
      assertEquals(2, ctl(args), String.join(" ", args) + " -> " + err());
      assertTrue(err().contains("usage: vigilctl"), err());
    }
    assertEquals(2, ctl("kill", "web-1", "99"));
    assertTrue(err().contains("no process with pid 99 is known on web-1"), err());
  }
}
