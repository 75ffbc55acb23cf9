package io.vigil.collector.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.AuditLog;
import io.vigil.collector.store.AuditRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.stream.AgentStreamService;
import io.vigil.collector.stream.ConnectedAgents;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.CommandResultBatch;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.ListAgentsRequest;
import io.vigil.proto.v1.Ping;
import io.vigil.proto.v1.SchemaVersion;
import io.vigil.proto.v1.SendCommandReply;
import io.vigil.proto.v1.SendCommandRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SendCommand end to end: the operator API (TLS) sends a ping down a connected agent's stream (the
 * real agent stream service and ingest, in-process), a test agent answers with a CommandResult, the
 * collector stores it, and the call returns it as {@code done}.
 */
class SendCommandTest {
  @TempDir Path dir;
  private EventStore store;
  private IngestService ingest;
  private Server agentServer;
  private ManagedChannel agentChannel;
  private OperatorFixture api;
  private final ConnectedAgents agents = new ConnectedAgents();
  private final MetricsRegistry metrics = new MetricsRegistry();
  private final String agentId = UUID.randomUUID().toString();
  private final BlockingQueue<Command> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    store = EventStore.open(dir.resolve("vigil.db"));
    ingest = new IngestService(store, IngestOptions.defaults(), metrics, List.of());
    AgentStreamService service = new AgentStreamService(ingest, agents, metrics, 1 << 20, "test");
    String name = InProcessServerBuilder.generateName();
    agentServer =
        InProcessServerBuilder.forName(name).addService(service.definition()).build().start();
    agentChannel = InProcessChannelBuilder.forName(name).build();
    api = OperatorFixture.start(dir, agents);
  }

  @AfterEach
  void stop() throws Exception {
    api.close();
    agentChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    agentServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    ingest.close();
    store.close();
  }

  /** A test agent: says Hello, answers every ping with a result naming its note. */
  private StreamObserver<AgentMessage> connectAgent() {
    return connectAgent(true);
  }

  /**
   * A test agent reporting host name web-7: says Hello, records every command, and answers pings
   * with a result naming their note when {@code answer}.
   */
  private StreamObserver<AgentMessage> connectAgent(boolean answer) {
    StreamObserver<AgentMessage>[] requests = new StreamObserver[1];
    requests[0] =
        AgentServiceGrpc.newStub(agentChannel).stream(
            new StreamObserver<>() {
              @Override
              public void onNext(CollectorMessage m) {
                if (!m.hasCommand()) {
                  return;
                }
                Command c = m.getCommand();
                received.add(c);
                if (!answer) {
                  return;
                }
                long now = WallClock.nowNanos();
                CommandResult r =
                    CommandResult.newBuilder()
                        .setCommandId(c.getCommandId())
                        .setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
                        .setDetail("pong: " + c.getPing().getNote())
                        .setStartedTimeNs(now)
                        .setFinishedTimeNs(now)
                        .setResultSeq(received.size())
                        .build();
                synchronized (requests) {
                  requests[0].onNext(
                      AgentMessage.newBuilder()
                          .setCommandResults(CommandResultBatch.newBuilder().addResults(r))
                          .build());
                }
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
    synchronized (requests) {
      requests[0].onNext(
          AgentMessage.newBuilder()
              .setHello(
                  Hello.newBuilder()
                      .setAgentId(agentId)
                      .setStreamEpoch("e1")
                      .setSchemaVersion(SchemaVersion.newBuilder().setMajor(1))
                      .setHost(HostInfo.newBuilder().setHostname("web-7"))
                      .setAgentVersion("0.1.0"))
              .build());
    }
    return requests[0];
  }

  @Test
  void aPingToAConnectedAgentReturnsItsResultAndTheAuditNamesTheResponder() throws Exception {
    StreamObserver<AgentMessage> stream = connectAgent();
    OperatorClient responder = api.client(api.token("rick", "responder"));
    awaitConnected();
    List<AgentRecord> listed =
        responder.call(s -> s.listAgents(ListAgentsRequest.getDefaultInstance())).getAgentsList();
    assertEquals(1, listed.size(), listed.toString());
    assertEquals("web-7", listed.get(0).getHostname());
    assertTrue(listed.get(0).getConnected());

    SendCommandReply r =
        responder.call(
            java.time.Duration.ofSeconds(90),
            s ->
                s.sendCommand(
                    SendCommandRequest.newBuilder()
                        .setHost("web-7")
                        .setWaitMs(60_000)
                        .setPing(Ping.newBuilder().setNote("are you there"))
                        .build()));
    assertEquals("done", r.getStatus(), r.toString());
    assertEquals(agentId, r.getAgentId());
    assertEquals(CommandResult.Outcome.OUTCOME_SUCCEEDED, r.getResult().getOutcome());
    assertEquals("pong: are you there", r.getResult().getDetail());
    Command sent = received.poll(10, TimeUnit.SECONDS);
    assertEquals(r.getCommandId(), sent.getCommandId());
    assertEquals("rick", sent.getIssuedBy());
    UUID.fromString(sent.getCommandId());
    long ttl = sent.getExpiresTimeNs() - sent.getIssuedTimeNs();
    assertEquals(CommandCalls.DEFAULT_TTL_MS * 1_000_000L, ttl);

    try (AuditLog log = AuditLog.open(api.db)) {
      List<AuditRow> calls =
          log.newest(10).stream().filter(a -> a.action().equals("SendCommand")).toList();
      AuditRow row = calls.get(1);
      assertEquals("attempted", row.outcome(), "written before the command was sent");
      row = calls.get(0);
      assertEquals(
          List.of("rick", "responder", "SendCommand", "web-7", "ok"),
          List.of(row.operator(), row.role(), row.action(), row.target(), row.outcome()));
      assertTrue(row.detail().contains(r.getCommandId()), row.detail());
      // The queue audits the result too, on its own thread once the result is stored (that row
      // may come before or after the call's outcome row: they are written on different threads).
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (log.newest(10).stream().noneMatch(a -> a.action().equals("CommandResult"))) {
        assertTrue(System.nanoTime() < until, "the result was never audited");
        Thread.sleep(20);
      }
      AuditRow result =
          log.newest(10).stream()
              .filter(a -> a.action().equals("CommandResult"))
              .findFirst()
              .orElseThrow();
      assertEquals(
          List.of("rick", "collector", "CommandResult", agentId, "ok"),
          List.of(
              result.operator(),
              result.role(),
              result.action(),
              result.target(),
              result.outcome()));
      assertEquals("succeeded: pong: are you there", result.detail());
    }
    stream.onCompleted();
  }

  /** The agent is connected once its Hello was handled (polled: no timing assumptions). */
  private void awaitConnected() throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!agents.ids().contains(agentId)) {
      assertTrue(System.nanoTime() < until, "the test agent never connected");
      Thread.sleep(20);
    }
  }

  private static SendCommandRequest ping(String host, int waitMs) {
    return SendCommandRequest.newBuilder()
        .setHost(host)
        .setWaitMs(waitMs)
        .setPing(Ping.newBuilder().setNote("n"))
        .build();
  }

  @Test
  void noCommandIsSentWhenItsAttemptCannotBeAudited() throws Exception {
    StreamObserver<AgentMessage> stream = connectAgent();
    OperatorClient responder = api.client(api.token("rick", "responder"));
    awaitConnected();
    api.breakAuditLog(false);
    OperatorApiException e =
        assertThrows(
            OperatorApiException.class, () -> responder.call(s -> s.sendCommand(ping(agentId, 0))));
    assertTrue(e.getMessage().contains("cannot write the audit log"), e.getMessage());
    api.repairAuditLog();
    SendCommandReply r =
        responder.call(Duration.ofSeconds(90), s -> s.sendCommand(ping(agentId, 60_000)));
    assertEquals("done", r.getStatus(), r.toString());
    assertEquals(
        r.getCommandId(),
        received.poll(10, TimeUnit.SECONDS).getCommandId(),
        "the first command the agent saw is the audited one");
    stream.onCompleted();
  }

  @Test
  void atMostSixteenCallsWaitAndACancelledCallFreesItsPlace() throws Exception {
    StreamObserver<AgentMessage> stream = connectAgent(false);
    String token = api.token("rick", "responder");
    OperatorClient waiting = api.client(token);
    api.trust.enrolled("agent-elsewhere", "far-1");
    awaitConnected();
    ExecutorService pool = Executors.newFixedThreadPool(CommandCalls.MAX_WAITING);
    try {
      for (int i = 0; i < CommandCalls.MAX_WAITING; i++) {
        pool.submit(
            () ->
                waiting.call(
                    Duration.ofSeconds(300),
                    s -> s.sendCommand(ping(agentId, (int) CommandCalls.MAX_WAIT_MS))));
      }
      // Each call sends its command once it holds a place: all places are taken when the agent
      // has seen as many commands.
      for (int i = 0; i < CommandCalls.MAX_WAITING; i++) {
        assertTrue(received.poll(60, TimeUnit.SECONDS) != null, "command " + i);
      }
      OperatorClient probe = api.client(token);
      OperatorApiException e =
          assertThrows(
              OperatorApiException.class, () -> probe.call(s -> s.sendCommand(ping(agentId, 1))));
      assertTrue(e.getMessage().contains("16 SendCommand calls are waiting"), e.getMessage());
      assertTrue(received.isEmpty(), "nothing sent for the refused call");
      assertEquals(
          "queued",
          probe.call(s -> s.sendCommand(ping("agent-elsewhere", 0))).getStatus(),
          "a call that does not wait is not limited");

      waiting.close(); // cancels the waiting calls; the collector notices and ends them
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          assertEquals("sent", probe.call(s -> s.sendCommand(ping(agentId, 1))).getStatus());
          break;
        } catch (OperatorApiException busy) {
          assertTrue(busy.getMessage().contains("are waiting"), busy.getMessage());
          assertTrue(System.nanoTime() < until, "the cancelled calls never freed their places");
          Thread.sleep(50);
        }
      }
    } finally {
      pool.shutdownNow();
    }
    stream.onCompleted();
  }

  @Test
  void aHostNameResolvesByTheEnrolledNameNotTheOneAnAgentReports() throws Exception {
    // The connected agent enrolled as db-1 but reports web-7, the enrolled name of another agent.
    api.trust.enrolled(agentId, "db-1");
    api.trust.enrolled("agent-web-7", "web-7");
    StreamObserver<AgentMessage> stream = connectAgent();
    OperatorClient responder = api.client(api.token("rick", "responder"));
    awaitConnected();
    // The agents table has the reported name once ingest stored the Hello.
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    AgentRecord liar;
    while (true) {
      liar =
          responder
              .call(s -> s.listAgents(ListAgentsRequest.getDefaultInstance()))
              .getAgentsList()
              .stream()
              .filter(a -> a.getAgentId().equals(agentId))
              .findFirst()
              .orElseThrow();
      if (!liar.getReportedHostname().isEmpty()) {
        break;
      }
      assertTrue(System.nanoTime() < until, "the Hello was never stored");
      Thread.sleep(20);
    }
    assertEquals(List.of("db-1", "web-7"), List.of(liar.getHostname(), liar.getReportedHostname()));

    SendCommandReply r = responder.call(s -> s.sendCommand(ping("web-7", 0)));
    assertEquals(List.of("agent-web-7", "queued"), List.of(r.getAgentId(), r.getStatus()));
    assertTrue(received.isEmpty(), "the agent that claims web-7 got nothing");
    r = responder.call(Duration.ofSeconds(90), s -> s.sendCommand(ping("db-1", 60_000)));
    assertEquals(List.of(agentId, "done"), List.of(r.getAgentId(), r.getStatus()));

    api.trust.enrolled("agent-db-1-again", "db-1");
    OperatorApiException e =
        assertThrows(
            OperatorApiException.class, () -> responder.call(s -> s.sendCommand(ping("db-1", 0))));
    assertEquals(OperatorApiException.Kind.INVALID_ARGUMENT, e.kind());
    assertTrue(
        e.getMessage().contains(agentId) && e.getMessage().contains("agent-db-1-again"),
        e.getMessage());
    stream.onCompleted();
  }
}
