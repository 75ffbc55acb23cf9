package io.vigil.collector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.command.TestAgents;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.Block;
import io.vigil.proto.v1.CollectFile;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandRecord;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Isolate;
import io.vigil.proto.v1.Kill;
import io.vigil.proto.v1.ListAgentsRequest;
import io.vigil.proto.v1.ListCommandsRequest;
import io.vigil.proto.v1.Ping;
import io.vigil.proto.v1.Quarantine;
import io.vigil.proto.v1.Release;
import io.vigil.proto.v1.Restore;
import io.vigil.proto.v1.SendCommandReply;
import io.vigil.proto.v1.SendCommandRequest;
import io.vigil.proto.v1.Unblock;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SendCommand for every action, ListCommands and the isolation state of ListAgents, through the
 * real operator API (TLS on loopback) and real agent streams (in-process) on one database.
 */
class ContainmentApiTest {
  @TempDir Path dir;
  private TestAgents side;
  private OperatorFixture api;
  private OperatorClient responder;
  private final String agentId = UUID.randomUUID().toString();
  private final String otherId = UUID.randomUUID().toString();

  @BeforeEach
  void start() throws Exception {
    side = new TestAgents(dir.resolve("vigil.db"));
    api = OperatorFixture.start(dir, side.agents);
    api.trust.enrolled(agentId, "web-1");
    api.trust.enrolled(otherId, "db-1");
    responder = api.client(api.token("rick", "responder"));
  }

  @AfterEach
  void stop() throws Exception {
    api.close();
    side.close();
  }

  /** Answers isolate with isolated=true, release with isolated=false, anything else plainly. */
  private Function<Command, CommandResult> answers() {
    return c ->
        switch (c.getActionCase()) {
          case ISOLATE ->
              side.result(
                  c,
                  CommandResult.Outcome.OUTCOME_SUCCEEDED,
                  "isolated",
                  Map.of("isolated", "true"));
          case RELEASE ->
              side.result(
                  c,
                  CommandResult.Outcome.OUTCOME_SUCCEEDED,
                  "released",
                  Map.of("isolated", "false"));
          default -> side.result(c, CommandResult.Outcome.OUTCOME_SUCCEEDED, "ok", Map.of());
        };
  }

  private SendCommandReply send(SendCommandRequest.Builder r) {
    return responder.call(Duration.ofSeconds(90), s -> s.sendCommand(r.build()));
  }

  private static SendCommandRequest.Builder to(String host, int waitMs) {
    return SendCommandRequest.newBuilder().setHost(host).setWaitMs(waitMs);
  }

  private List<CommandRecord> commands(String host, int limit) {
    return responder
        .call(
            s ->
                s.listCommands(
                    ListCommandsRequest.newBuilder().setHost(host).setLimit(limit).build()))
        .getCommandsList();
  }

  private AgentRecord agent(String id) {
    return responder
        .call(s -> s.listAgents(ListAgentsRequest.getDefaultInstance()))
        .getAgentsList()
        .stream()
        .filter(a -> a.getAgentId().equals(id))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void badArgumentsAreRefusedAtTheCollectorNamingTheFieldAndNothingIsQueued() {
    Map<SendCommandRequest.Builder, String> bad =
        Map.ofEntries(
            Map.entry(
                to("web-1", 0).setQuarantine(Quarantine.newBuilder().setPath("etc/passwd")),
                "quarantine.path"),
            Map.entry(
                to("web-1", 0).setQuarantine(Quarantine.newBuilder().setPath("/tmp/../etc/shadow")),
                "quarantine.path"),
            Map.entry(
                to("web-1", 0).setCollectFile(CollectFile.newBuilder().setPath("/tmp/a\0b")),
                "collect_file.path"),
            Map.entry(
                to("web-1", 0)
                    .setCollectFile(CollectFile.newBuilder().setPath("/" + "a".repeat(5000))),
                "collect_file.path"),
            Map.entry(
                to("web-1", 0).setBlock(Block.newBuilder().setAddress("evil.example")),
                "block.address"),
            Map.entry(
                to("web-1", 0).setBlock(Block.newBuilder().setAddress("10.0.0.0/33")),
                "block.address"),
            Map.entry(
                to("web-1", 0).setUnblock(Unblock.newBuilder().setAddress("1.2.3")),
                "unblock.address"),
            Map.entry(
                to("web-1", 0).setIsolate(Isolate.newBuilder().addAllow("jump.example tcp/22")),
                "isolate.allow[0]"),
            Map.entry(
                to("web-1", 0)
                    .setIsolate(
                        Isolate.newBuilder().addAllow("10.0.0.5 tcp/22").addAllow("* tcp/70000")),
                "isolate.allow[1]"),
            Map.entry(to("web-1", 0).setKill(Kill.newBuilder().setPid(1)), "kill.pid"),
            Map.entry(to("web-1", 0).setKill(Kill.newBuilder()), "kill.pid"),
            Map.entry(to("web-1", 0).setRestore(Restore.newBuilder()), "restore.quarantine_id"),
            Map.entry(to("web-1", 0), "action"),
            Map.entry(
                to("web-1", 0).setPing(Ping.getDefaultInstance()).setTtlMs(8 * 24 * 3600 * 1000),
                "ttl_ms"));
    bad.forEach(
        (r, field) -> {
          OperatorApiException e =
              assertThrows(OperatorApiException.class, () -> send(r), r.toString());
          assertEquals(OperatorApiException.Kind.INVALID_ARGUMENT, e.kind(), e.getMessage());
          assertTrue(e.getMessage().contains(field), field + ": " + e.getMessage());
        });
    assertEquals(List.of(), commands("", 0), "nothing was queued");
  }

  @Test
  void goodArgumentsOfEveryActionAreQueuedWithTheirArguments() {
    List<SendCommandRequest.Builder> good =
        List.of(
            to("web-1", 0).setPing(Ping.newBuilder().setNote("n")),
            to("web-1", 0)
                .setIsolate(
                    Isolate.newBuilder()
                        .addAllow("10.0.0.5 tcp/22")
                        .addAllow("fd00::/8")
                        .addAllow("* udp/53")
                        .addAllow("dhcp")
                        .setVerifyTimeoutMs(5000)),
            to("web-1", 0).setRelease(Release.getDefaultInstance()),
            to("web-1", 0).setKill(Kill.newBuilder().setPid(77).setEntityId("E77").setTree(true)),
            to("web-1", 0).setQuarantine(Quarantine.newBuilder().setPath("/tmp/evil")),
            to("web-1", 0).setRestore(Restore.newBuilder().setQuarantineId("q-1")),
            to("web-1", 0).setBlock(Block.newBuilder().setAddress("203.0.113.0/24")),
            to("web-1", 0).setUnblock(Unblock.newBuilder().setAddress("2001:db8::1")),
            to("web-1", 0).setCollectFile(CollectFile.newBuilder().setPath("/var/log/x.log")),
            to("web-1", 0).setSnapshot(io.vigil.proto.v1.Snapshot.getDefaultInstance()));
    for (SendCommandRequest.Builder r : good) {
      assertEquals("queued", send(r).getStatus(), r.toString());
    }
    List<CommandRecord> listed = commands("web-1", 0);
    assertEquals(
        List.of(
            "snapshot",
            "collect_file",
            "unblock",
            "block",
            "restore",
            "quarantine",
            "kill",
            "release",
            "isolate",
            "ping"),
        listed.stream().map(CommandRecord::getAction).toList(),
        "newest first");
    CommandRecord kill = listed.get(6);
    assertEquals("{\"pid\":77,\"entity_id\":\"E77\",\"tree\":true}", kill.getArgumentsJson());
    assertEquals(
        List.of("rick", "queued", "web-1"),
        List.of(kill.getIssuedBy(), kill.getStatus(), kill.getHostname()));
    assertEquals(10, agent(agentId).getPendingCommands());
  }

  @Test
  void killWithoutEntityIdTakesTheNewestProcessWithThatPidOrIsRefused() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + api.db.toAbsolutePath());
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO processes(agent_id, entity_id, pid, image, command_line,"
                    + " exec_time_ns, stream_id, seq) VALUES(?, ?, 4242, '/bin/sh', 'sh', ?, 1, 1)")) {
      for (Object[] row :
          new Object[][] {
            {agentId, "OLD", 100L}, {agentId, "NEW", 200L}, {otherId, "OTHER", 300L}
          }) {
        ps.setString(1, (String) row[0]);
        ps.setString(2, (String) row[1]);
        ps.setLong(3, (Long) row[2]);
        ps.executeUpdate();
      }
    }
    TestAgents.Agent agent = side.connect(agentId, "web-1", answers());
    SendCommandReply r = send(to("web-1", 60_000).setKill(Kill.newBuilder().setPid(4242)));
    assertEquals("done", r.getStatus(), r.toString());
    Command got = agent.received.poll(60, TimeUnit.SECONDS);
    assertEquals("NEW", got.getKill().getEntityId());
    assertEquals(4242, got.getKill().getPid());

    OperatorApiException e =
        assertThrows(
            OperatorApiException.class,
            () -> send(to("web-1", 0).setKill(Kill.newBuilder().setPid(999))));
    assertEquals(OperatorApiException.Kind.INVALID_ARGUMENT, e.kind());
    assertTrue(
        e.getMessage()
            .contains(
                "no process with pid 999 is known on web-1; give --entity ID or run snapshot"),
        e.getMessage());
  }

  @Test
  void aQueuedCommandIsDeliveredWhenTheAgentConnectsAndTheListsShowResultsAndIsolation()
      throws Exception {
    SendCommandReply isolate =
        send(to("web-1", 0).setIsolate(Isolate.newBuilder().addAllow("10.0.0.5 tcp/22")));
    assertEquals("queued", isolate.getStatus());
    send(to("db-1", 0).setPing(Ping.getDefaultInstance()));
    AgentRecord before = agent(agentId);
    assertEquals(
        List.of(1, false, 0L),
        List.of(before.getPendingCommands(), before.getIsolated(), before.getIsolationChangedNs()));

    // A call that waits while the agent is away gets the result once it connects.
    CompletableFuture<SendCommandReply> waiting =
        CompletableFuture.supplyAsync(
            () -> send(to(agentId, 60_000).setPing(Ping.newBuilder().setNote("later"))));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (agent(agentId).getPendingCommands() < 2) {
      assertTrue(System.nanoTime() < until, "the second command was never queued");
      Thread.sleep(20);
    }
    TestAgents.Agent agent = side.connect(agentId, "web-1", answers());
    assertEquals("done", waiting.get(90, TimeUnit.SECONDS).getStatus());
    assertEquals(
        isolate.getCommandId(),
        agent.received.poll(60, TimeUnit.SECONDS).getCommandId(),
        "oldest first");

    while (!commands("web-1", 0).stream().allMatch(c -> c.getStatus().equals("done"))) {
      assertTrue(System.nanoTime() < until, "the isolate was never done");
      Thread.sleep(20);
    }
    List<CommandRecord> web = commands(agentId, 0);
    assertEquals(2, web.size(), "only this host's commands");
    CommandRecord listedIsolate = web.get(1);
    assertEquals("isolate", listedIsolate.getAction());
    assertEquals("true", listedIsolate.getResult().getFactsOrThrow("isolated"));
    assertTrue(listedIsolate.getSentNs() > 0);
    assertEquals(1, commands("", 1).size(), "the limit");
    assertEquals("queued", commands("db-1", 0).get(0).getStatus());

    AgentRecord isolated = agent(agentId);
    assertTrue(isolated.getIsolated());
    assertTrue(isolated.getIsolationChangedNs() > 0);
    assertEquals(0, isolated.getPendingCommands());
    assertEquals(1, agent(otherId).getPendingCommands());

    assertEquals(
        "done", send(to("web-1", 60_000).setRelease(Release.getDefaultInstance())).getStatus());
    AgentRecord released = agent(agentId);
    assertFalse(released.getIsolated());
    assertTrue(released.getIsolationChangedNs() >= isolated.getIsolationChangedNs());

    OperatorApiException e = assertThrows(OperatorApiException.class, () -> commands("nobody", 0));
    assertEquals(OperatorApiException.Kind.NOT_FOUND, e.kind());
  }
}
