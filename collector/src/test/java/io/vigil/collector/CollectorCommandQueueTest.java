package io.vigil.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.api.OperatorClient;
import io.vigil.collector.config.CollectorConfig;
import io.vigil.common.config.HostPort;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.AuditRecord;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandRecord;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.CommandResultBatch;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.Isolate;
import io.vigil.proto.v1.ListAuditRequest;
import io.vigil.proto.v1.ListCommandsRequest;
import io.vigil.proto.v1.SchemaVersion;
import io.vigil.proto.v1.SendCommandRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole collector's command queue: a command queued for an absent agent survives a collector
 * restart and is delivered when the agent connects to the new collector; its result is listed and
 * audited through the one audit log the collector shares between the operator API and the queue.
 */
class CollectorCommandQueueTest {
  @TempDir Path dir;
  private final String agentId = UUID.randomUUID().toString();

  private CollectorConfig config() throws Exception {
    return CollectorConfig.load(
        Optional.empty(),
        Map.of(),
        List.of(
            "collector.state_dir=" + dir.resolve("state"),
            "listen.address=127.0.0.1:0",
            "operator.address=127.0.0.1:0",
            "metrics.listen=",
            "detection.starter_rules=false"));
  }

  /** Says Hello; answers every command with SUCCEEDED and isolated=true; records commands. */
  private StreamObserver<AgentMessage> agent(ManagedChannel ch, BlockingQueue<Command> got) {
    @SuppressWarnings("unchecked")
    StreamObserver<AgentMessage>[] requests = new StreamObserver[1];
    requests[0] =
        AgentServiceGrpc.newStub(ch).stream(
            new StreamObserver<>() {
              @Override
              public void onNext(CollectorMessage m) {
                if (!m.hasCommand()) {
                  return;
                }
                got.add(m.getCommand());
                long now = WallClock.nowNanos();
                CommandResult r =
                    CommandResult.newBuilder()
                        .setCommandId(m.getCommand().getCommandId())
                        .setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
                        .setDetail("isolated")
                        .setStartedTimeNs(now)
                        .setFinishedTimeNs(now)
                        .setResultSeq(got.size())
                        .putFacts("isolated", "true")
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
                      .setHost(HostInfo.newBuilder().setHostname("web-1"))
                      .setAgentVersion("0.1.0"))
              .build());
    }
    return requests[0];
  }

  private static void await(java.util.function.BooleanSupplier done, String what)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < until, what);
      Thread.sleep(50);
    }
  }

  @Test
  void aCommandQueuedBeforeARestartIsDeliveredByTheNextCollectorAndAudited() throws Exception {
    CollectorConfig config = config();
    String commandId;
    try (Collector c = Collector.start(config, true)) {
      // The agent streams once, so the collector knows it, and goes away.
      ManagedChannel ch =
          ManagedChannelBuilder.forAddress("127.0.0.1", c.port()).usePlaintext().build();
      StreamObserver<AgentMessage> s = agent(ch, new LinkedBlockingQueue<>());
      await(() -> c.agents().ids().contains(agentId), "the agent never connected");
      s.onCompleted();
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      await(() -> !c.agents().ids().contains(agentId), "the stream never ended");

      String token = Files.readString(config.operator().bootstrapTokenFile()).strip();
      try (OperatorClient admin =
          OperatorClient.connect(new HostPort("127.0.0.1", c.operatorPort()), null, token)) {
        var r =
            admin.call(
                x ->
                    x.sendCommand(
                        SendCommandRequest.newBuilder()
                            .setHost("web-1")
                            .setIsolate(Isolate.newBuilder().addAllow("10.0.0.5 tcp/22"))
                            .build()));
        assertEquals("queued", r.getStatus());
        commandId = r.getCommandId();
      }
    }

    try (Collector c = Collector.start(config, true)) {
      ManagedChannel ch =
          ManagedChannelBuilder.forAddress("127.0.0.1", c.port()).usePlaintext().build();
      BlockingQueue<Command> got = new LinkedBlockingQueue<>();
      StreamObserver<AgentMessage> s = agent(ch, got);
      Command delivered = got.poll(60, TimeUnit.SECONDS);
      assertEquals(commandId, delivered == null ? null : delivered.getCommandId());
      assertEquals(List.of("10.0.0.5 tcp/22"), delivered.getIsolate().getAllowList());

      String token = Files.readString(config.operator().bootstrapTokenFile()).strip();
      try (OperatorClient admin =
          OperatorClient.connect(new HostPort("127.0.0.1", c.operatorPort()), null, token)) {
        await(
            () ->
                admin
                    .call(x -> x.listCommands(ListCommandsRequest.getDefaultInstance()))
                    .getCommands(0)
                    .getStatus()
                    .equals("done"),
            "the command was never done");
        CommandRecord listed =
            admin
                .call(x -> x.listCommands(ListCommandsRequest.getDefaultInstance()))
                .getCommands(0);
        assertEquals("true", listed.getResult().getFactsOrThrow("isolated"));
        await(
            () ->
                admin
                    .call(x -> x.listAudit(ListAuditRequest.getDefaultInstance()))
                    .getEntriesList()
                    .stream()
                    .anyMatch(a -> a.getAction().equals("CommandResult")),
            "the result was never audited");
        List<String> actions =
            admin
                .call(x -> x.listAudit(ListAuditRequest.getDefaultInstance()))
                .getEntriesList()
                .stream()
                .map(AuditRecord::getAction)
                .toList();
        assertTrue(
            actions.containsAll(List.of("CommandSent", "CommandResult", "SendCommand")),
            actions.toString());
      }
      s.onCompleted();
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
