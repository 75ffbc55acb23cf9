package io.vigil.collector.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.store.AuditLog;
import io.vigil.collector.store.AuditRow;
import io.vigil.collector.store.CommandRow;
import io.vigil.collector.store.CommandStore;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Isolate;
import io.vigil.proto.v1.Kill;
import io.vigil.proto.v1.Ping;
import io.vigil.proto.v1.Release;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command queue over a real database and real agent streams (in-process): queued while the
 * agent is away, sent when it connects, done when its result is stored; never sent after expiry;
 * sent again after a reconnect when it had no result; every delivery, expiry and result audited.
 */
class CommandQueueTest {
  private static final long SECOND = 1_000_000_000L;

  @TempDir Path dir;
  private TestAgents side;
  private AuditLog audit;
  private CommandStore store;
  private CommandQueue queue;
  private final AtomicLong clock = new AtomicLong(WallClock.nowNanos());
  private final String agentId = UUID.randomUUID().toString();

  @BeforeEach
  void start() throws Exception {
    Path db = dir.resolve("vigil.db");
    side = new TestAgents(db);
    audit = AuditLog.open(db);
    store = CommandStore.open(db);
    queue = new CommandQueue(store, audit, side.agents, clock::get);
    queue.start();
  }

  @AfterEach
  void stop() throws Exception {
    queue.close();
    store.close();
    audit.close();
    side.close();
  }

  private Command command(String action, long ttlNs) {
    Command.Builder c =
        Command.newBuilder()
            .setCommandId(UUID.randomUUID().toString())
            .setIssuedBy("rick")
            .setIssuedTimeNs(clock.get())
            .setExpiresTimeNs(clock.get() + ttlNs);
    if (action.equals("kill")) {
      c.setKill(Kill.newBuilder().setPid(4242).setEntityId("E1"));
    } else {
      c.setPing(Ping.newBuilder().setNote("n"));
    }
    return c.build();
  }

  private String status(String commandId) {
    return store.get(commandId).orElseThrow().status();
  }

  /** Polls until {@code commandId} has {@code status} (the queue works on its own thread). */
  private void awaitStatus(String commandId, String status) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!status(commandId).equals(status)) {
      assertTrue(System.nanoTime() < until, commandId + " never became " + status);
      Thread.sleep(20);
    }
  }

  private List<AuditRow> rows(Predicate<AuditRow> which) {
    return audit.newest(1000).stream().filter(which).toList();
  }

  @Test
  void aCommandForAnAbsentAgentWaitsIsSentWhenItConnectsAndIsDoneWithItsResultAudited()
      throws Exception {
    Command kill = command("kill", 600 * SECOND);
    assertEquals("queued", queue.issue(agentId, kill, "kill", "{\"pid\":4242}"));
    CommandRow row = store.get(kill.getCommandId()).orElseThrow();
    assertEquals(
        List.of("queued", agentId, "kill", "{\"pid\":4242}", "rick", 0L),
        List.of(
            row.status(),
            row.agentId(),
            row.action(),
            row.argumentsJson(),
            row.issuedBy(),
            row.sentNs()));
    assertEquals(kill, Command.parseFrom(row.payload()));
    assertEquals(Map.of(agentId, 1), store.pendingCounts());

    TestAgents.Agent agent =
        side.connect(
            agentId,
            "web-7",
            c ->
                side.result(
                    c,
                    CommandResult.Outcome.OUTCOME_SUCCEEDED,
                    "killed 1 process",
                    Map.of("killed", "1", "entity_id", "E1")));
    Command got = agent.received.poll(60, TimeUnit.SECONDS);
    assertEquals(kill, got, "the stored command, byte for byte");
    awaitStatus(kill.getCommandId(), "done");
    assertTrue(store.get(kill.getCommandId()).orElseThrow().sentNs() > 0);
    assertEquals(Map.of(), store.pendingCounts());

    AuditRow sent = rows(r -> r.action().equals("CommandSent")).get(0);
    assertEquals(
        List.of("rick", "collector", agentId, "ok"),
        List.of(sent.operator(), sent.role(), sent.target(), sent.outcome()));
    assertTrue(sent.argumentsJson().contains(kill.getCommandId()), sent.argumentsJson());
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (rows(r -> r.action().equals("CommandResult")).isEmpty()) {
      assertTrue(System.nanoTime() < until, "no result row");
      Thread.sleep(20);
    }
    AuditRow result = rows(r -> r.action().equals("CommandResult")).get(0);
    assertEquals(
        List.of("rick", agentId, "ok", "succeeded: killed 1 process facts: entity_id=E1 killed=1"),
        List.of(result.operator(), result.target(), result.outcome(), result.detail()));
    assertEquals(
        "{\"command_id\":\"" + kill.getCommandId() + "\",\"action\":\"kill\"}",
        result.argumentsJson());
  }

  @Test
  void anExpiredCommandIsNeverSentAndItsExpiryIsAudited() throws Exception {
    Command late = command("ping", 5 * SECOND);
    Command swept = command("ping", 5 * SECOND);
    Command fresh = command("ping", 600 * SECOND);
    queue.issue(agentId, late, "ping", "{}");
    queue.issue(agentId, swept, "ping", "{}");
    queue.issue(agentId, fresh, "ping", "{}");
    clock.addAndGet(6 * SECOND);

    assertEquals(2, queue.expireOverdue());
    assertEquals("expired", status(late.getCommandId()));
    assertEquals("expired", status(swept.getCommandId()));
    assertEquals("queued", status(fresh.getCommandId()));

    TestAgents.Agent agent = side.connect(agentId, "web-7", null);
    Command got = agent.received.poll(60, TimeUnit.SECONDS);
    assertEquals(fresh.getCommandId(), got.getCommandId(), "only the command still valid");
    assertNull(agent.received.poll(1, TimeUnit.SECONDS), "nothing expired follows");
    awaitStatus(fresh.getCommandId(), "sent");

    List<AuditRow> expired = rows(r -> r.action().equals("CommandExpired"));
    assertEquals(2, expired.size(), expired.toString());
    for (AuditRow r : expired) {
      assertEquals("failed", r.outcome());
      assertTrue(r.detail().contains("expired before the agent took it"), r.detail());
    }
  }

  @Test
  void anExpiredCommandFoundAtDeliveryIsExpiredThere() throws Exception {
    Command late = command("ping", 5 * SECOND);
    queue.issue(agentId, late, "ping", "{}");
    clock.addAndGet(6 * SECOND); // before any sweep: the delivery finds it
    TestAgents.Agent agent = side.connect(agentId, "web-7", null);
    awaitStatus(late.getCommandId(), "expired");
    assertNull(agent.received.poll(1, TimeUnit.SECONDS), "an expired command is never sent");
  }

  @Test
  void aSentCommandWithoutResultIsSentAgainAfterAReconnectAndItsResultAuditedOnce()
      throws Exception {
    TestAgents.Agent silent = side.connect(agentId, "web-7", null);
    Command ping = command("ping", 600 * SECOND);
    assertEquals("sent", queue.issue(agentId, ping, "ping", "{}"));
    assertEquals(ping.getCommandId(), silent.received.poll(60, TimeUnit.SECONDS).getCommandId());
    silent.disconnect(); // the command is lost with the stream

    TestAgents.Agent again =
        side.connect(
            agentId,
            "web-7",
            c -> side.result(c, CommandResult.Outcome.OUTCOME_FAILED, "no", Map.of()));
    assertEquals(ping, again.received.poll(60, TimeUnit.SECONDS), "sent again, byte for byte");
    awaitStatus(ping.getCommandId(), "done");
    // The agent re-sends its result (as after a lost acknowledgement): nothing changes.
    again.send(side.result(ping, CommandResult.Outcome.OUTCOME_FAILED, "no", Map.of()));
    Command marker = command("ping", 600 * SECOND);
    queue.issue(agentId, marker, "ping", "{}");
    awaitStatus(marker.getCommandId(), "done"); // results are handled in order
    List<AuditRow> results =
        rows(
            r ->
                r.action().equals("CommandResult")
                    && r.argumentsJson().contains(ping.getCommandId()));
    assertEquals(1, results.size(), results.toString());
    assertEquals(
        List.of("failed", "failed: no"),
        List.of(results.get(0).outcome(), results.get(0).detail()));
    assertTrue(rows(r -> r.action().equals("CommandSent")).isEmpty(), "it was not queued");
  }

  @Test
  void aResultOfAnUnknownCommandOrOfAnotherAgentChangesNothing() throws Exception {
    Command ping = command("ping", 600 * SECOND);
    queue.issue(agentId, ping, "ping", "{}");
    assertEquals(
        0,
        queue.recordResults(
            "another-agent",
            List.of(side.result(ping, CommandResult.Outcome.OUTCOME_SUCCEEDED, "", Map.of()))));
    assertEquals("queued", status(ping.getCommandId()));
    assertTrue(rows(r -> r.action().equals("CommandResult")).isEmpty());
  }

  @Test
  void aQueuedCommandAndANewerOneIssuedAtConnectArriveInIssueOrder() throws Exception {
    // A queue that does not listen: the connect's own delivery has not run yet when the operator
    // issues the next command, the window where the newer one used to overtake the queued one.
    queue.close();
    queue = new CommandQueue(store, audit, side.agents, clock::get);
    Command isolate =
        command("ping", 600 * SECOND).toBuilder().setIsolate(Isolate.getDefaultInstance()).build();
    assertEquals("queued", queue.issue(agentId, isolate, "isolate", "{}"));
    TestAgents.Agent agent = side.connect(agentId, "web-7", null);
    clock.addAndGet(SECOND);
    Command release =
        command("ping", 600 * SECOND).toBuilder().setRelease(Release.getDefaultInstance()).build();
    assertEquals("sent", queue.issue(agentId, release, "release", "{}"));
    assertEquals(isolate, agent.received.poll(60, TimeUnit.SECONDS), "the older one first");
    assertEquals(release, agent.received.poll(60, TimeUnit.SECONDS));
    assertEquals("sent", status(isolate.getCommandId()));
    assertEquals("sent", status(release.getCommandId()));
    // The delivery of the connect, late: whatever it sends again comes in issue order too.
    queue.deliver(agentId);
    assertEquals(isolate.getCommandId(), agent.received.poll(60, TimeUnit.SECONDS).getCommandId());
    assertEquals(release.getCommandId(), agent.received.poll(60, TimeUnit.SECONDS).getCommandId());
    List<AuditRow> sent = rows(r -> r.action().equals("CommandSent"));
    assertEquals(1, sent.size(), "the queued one; the new one is audited by its SendCommand call");
    assertTrue(sent.get(0).argumentsJson().contains(isolate.getCommandId()));
  }

  @Test
  void anAgentHasAtMostMaxOpenCommandsAndTheRefusalSaysWhy() throws Exception {
    Command first = null;
    for (int i = 0; i < CommandQueue.MAX_OPEN_PER_AGENT; i++) {
      Command c = command("ping", 600 * SECOND);
      first = first == null ? c : first;
      queue.issue(agentId, c, "ping", "{}");
    }
    Command extra = command("ping", 600 * SECOND);
    TooManyOpenCommandsException e =
        assertThrows(
            TooManyOpenCommandsException.class, () -> queue.issue(agentId, extra, "ping", "{}"));
    assertTrue(
        e.getMessage().contains("at most " + CommandQueue.MAX_OPEN_PER_AGENT), e.getMessage());
    assertTrue(store.get(extra.getCommandId()).isEmpty(), "nothing recorded");
    assertEquals("queued", queue.issue("another-agent", extra, "ping", "{}"), "per agent");

    queue.recordResults(
        agentId,
        List.of(side.result(first, CommandResult.Outcome.OUTCOME_SUCCEEDED, "", Map.of())));
    Command next = command("ping", 600 * SECOND);
    assertEquals("queued", queue.issue(agentId, next, "ping", "{}"), "room again after a result");
    Command release = command("release", 600 * SECOND);
    assertEquals(
        "queued",
        queue.issue(agentId, release, "release", "{}"),
        "a release is never kept out by a full queue");
  }

  @Test
  void aResultWhoseAuditRowFailedIsAuditedByTheSweepOnce() throws Exception {
    queue.close();
    queue = new CommandQueue(store, audit, side.agents, clock::get, 0);
    Command ping = command("ping", 600 * SECOND);
    queue.issue(agentId, ping, "ping", "{}");
    Path db = dir.resolve("vigil.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TRIGGER vigil_test_fail BEFORE INSERT ON audit_log"
              + " BEGIN SELECT RAISE(ABORT, 'the audit log fails once'); END");
    }
    CommandResult r = side.result(ping, CommandResult.Outcome.OUTCOME_SUCCEEDED, "ok", Map.of());
    storeResult(r); // as the ingest writer does before the queue hears of it
    assertEquals(1, queue.recordResults(agentId, List.of(r)));
    assertEquals("done", status(ping.getCommandId()), "the status change is committed");
    assertTrue(rows(x -> x.action().equals("CommandResult")).isEmpty(), "the append failed");
    assertEquals(0, queue.reaudit(), "still failing: nothing written, still owed");
    assertEquals(1, store.pendingAudits(Long.MAX_VALUE, 10).size());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER vigil_test_fail");
    }

    assertEquals(1, queue.reaudit());
    assertEquals(0, queue.reaudit(), "written once");
    assertEquals(List.of(), store.pendingAudits(Long.MAX_VALUE, 10));
    List<AuditRow> results = rows(x -> x.action().equals("CommandResult"));
    assertEquals(1, results.size(), results.toString());
    assertEquals(
        List.of("rick", "ok", "succeeded: ok"),
        List.of(results.get(0).operator(), results.get(0).outcome(), results.get(0).detail()));
    assertTrue(results.get(0).argumentsJson().contains(ping.getCommandId()));
    assertTrue(audit.verify().intact(), "the chain is whole");
  }

  private void storeResult(CommandResult r) throws Exception {
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("vigil.db").toAbsolutePath());
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO command_results(agent_id, command_id, outcome, detail, finished_ns,"
                    + " received_ns, payload) VALUES(?, ?, 'succeeded', ?, 1, 1, ?)")) {
      ps.setString(1, agentId);
      ps.setString(2, r.getCommandId());
      ps.setString(3, r.getDetail());
      ps.setBytes(4, r.toByteArray());
      ps.executeUpdate();
    }
  }

  @Test
  void anExpiryWhoseAuditRowFailedIsAuditedByTheSweep() throws Exception {
    queue.close();
    queue = new CommandQueue(store, audit, side.agents, clock::get, 0);
    Command ping = command("ping", 5 * SECOND);
    queue.issue(agentId, ping, "ping", "{}");
    Path db = dir.resolve("vigil.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TRIGGER vigil_test_fail BEFORE INSERT ON audit_log"
              + " BEGIN SELECT RAISE(ABORT, 'the audit log fails once'); END");
    }
    clock.addAndGet(6 * SECOND);
    assertEquals(1, queue.expireOverdue());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
        Statement st = c.createStatement()) {
      st.execute("DROP TRIGGER vigil_test_fail");
    }
    assertTrue(rows(x -> x.action().equals("CommandExpired")).isEmpty());
    assertEquals(1, queue.reaudit());
    AuditRow expired = rows(x -> x.action().equals("CommandExpired")).get(0);
    assertTrue(expired.detail().contains("expired before the agent took it"), expired.detail());
  }
}
