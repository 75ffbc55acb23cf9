package io.vigil.inprocess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.vigil.agent.pipeline.Pipeline;
import io.vigil.agent.response.CommandDispatcher;
import io.vigil.agent.ship.Shipper;
import io.vigil.agent.ship.ShipperOptions;
import io.vigil.agent.spool.Spool;
import io.vigil.agent.spool.SpoolOptions;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.CommandResultRow;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.collector.stream.AgentStreamService;
import io.vigil.collector.stream.ConnectedAgents;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.Ping;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.SchemaVersion;
import io.vigil.testkit.Poll;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real shipper and the real stream endpoint over in-process gRPC: events are acknowledged and
 * committed, and a command's result travels back in its own lane and is stored once.
 */
class ShipperCollectorTest {
  @TempDir Path dir;

  @Test
  void eventsAreCommittedOnAckAndPingResultsComeBackOnce() throws Exception {
    MetricsRegistry agentMetrics = new MetricsRegistry();
    MetricsRegistry collectorMetrics = new MetricsRegistry();
    String agentId = UUID.randomUUID().toString();
    String name = InProcessServerBuilder.generateName();
    ConnectedAgents agents = new ConnectedAgents();
    try (EventStore store = EventStore.open(dir.resolve("vigil.db"));
        IngestService ingest =
            new IngestService(store, IngestOptions.defaults(), collectorMetrics, List.of());
        Spool spool =
            Spool.open(
                new SpoolOptions(
                    dir.resolve("spool"), 1L << 30, "FAST_HOURLY", Duration.ofHours(1)),
                agentMetrics)) {
      Server server =
          InProcessServerBuilder.forName(name)
              .addService(
                  new AgentStreamService(ingest, agents, collectorMetrics, 1 << 20, "t")
                      .definition())
              .build()
              .start();
      ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
      Pipeline pipeline = new Pipeline(spool, 1024, agentMetrics);
      pipeline.start();
      CommandDispatcher commands = CommandDispatcher.open(dir, pipeline, java.util.Map.of());
      Shipper shipper =
          new Shipper(
              new ShipperOptions(
                  100,
                  1 << 20,
                  Duration.ofMillis(10),
                  4,
                  Duration.ofSeconds(10),
                  Duration.ofMillis(50),
                  Duration.ofMillis(500)),
              spool,
              () -> channel,
              () ->
                  Hello.newBuilder()
                      .setAgentId(agentId)
                      .setStreamEpoch(spool.epoch())
                      .setSchemaVersion(SchemaVersion.newBuilder().setMajor(1))
                      .build(),
              commands,
              "gzip",
              agentMetrics);
      shipper.start();
      try {
        for (int i = 0; i < 1000; i++) {
          pipeline.offer(
              Event.newBuilder()
                  .setEventTimeNs(i)
                  .setProcessExec(ProcessExec.newBuilder().addArgs("/bin/true").addArgs("" + i)));
        }
        Poll.until(
            Duration.ofSeconds(60),
            () -> "committed " + spool.committedSeq(),
            () -> spool.committedSeq() >= 1000 && shipper.connected());
        assertEquals(1000, agentMetrics.total("vigil_agent_events_acked_total"));

        Command ping =
            Command.newBuilder()
                .setCommandId("cmd-1")
                .setPing(Ping.newBuilder().setNote("n"))
                .build();
        assertTrue(agents.send(agentId, ping));
        assertTrue(agents.send(agentId, ping)); // re-sent: must not run twice
        try (StoreReader reader = EventStore.openReadOnly(dir.resolve("vigil.db"))) {
          Poll.until(
              Duration.ofSeconds(30),
              () -> "no command result stored",
              () -> !reader.commandResults(agentId).isEmpty() && commands.unacked().isEmpty());
          List<CommandResultRow> results = reader.commandResults(agentId);
          assertEquals(1, results.size());
          assertTrue(results.get(0).detail().contains("pong n"), results.toString());
          assertEquals(1, CommandResult.parseFrom(results.get(0).payload()).getResultSeq());
          // The agent ran it once: one result on its timeline, however often it was sent.
          Poll.until(
              Duration.ofSeconds(30),
              () -> "the result event did not reach the store",
              () -> commandResultEvents(reader) >= 1);
          Thread.sleep(500); // room for a second, wrong, result event to arrive
          assertEquals(1, commandResultEvents(reader));
        }
      } finally {
        shipper.close();
        pipeline.close();
        commands.close();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static long commandResultEvents(StoreReader reader) {
    long[] n = {0};
    reader.forEachPayload(
        p -> {
          try {
            if (Event.parseFrom(p).hasCommandResult()) {
              n[0]++;
            }
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
          }
        });
    return n[0];
  }
}
