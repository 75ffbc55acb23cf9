package io.vigil.collector.command;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.stream.AgentStreamService;
import io.vigil.collector.stream.ConnectedAgents;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.CommandResultBatch;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.SchemaVersion;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The real agent side of a collector for tests: the collector database, ingest and the agent stream
 * service in-process, registering streams in a {@link ConnectedAgents}; and test agents that say
 * Hello, record every command, and answer it as a test says. Not thread-safe.
 */
public final class TestAgents implements AutoCloseable {
  public final ConnectedAgents agents = new ConnectedAgents();
  private final EventStore store;
  private final IngestService ingest;
  private final Server server;
  private final ManagedChannel channel;
  private final AtomicLong resultSeq = new AtomicLong();

  /** Creates (and migrates) {@code db} when it is absent. */
  public TestAgents(Path db) throws Exception {
    store = EventStore.open(db);
    MetricsRegistry metrics = new MetricsRegistry();
    ingest = new IngestService(store, IngestOptions.defaults(), metrics, java.util.List.of());
    AgentStreamService service = new AgentStreamService(ingest, agents, metrics, 1 << 20, "test");
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(service.definition()).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  /** A result of {@code c}: outcome, detail and facts, finished now. */
  public CommandResult result(
      Command c, CommandResult.Outcome outcome, String detail, Map<String, String> facts) {
    long now = WallClock.nowNanos();
    return CommandResult.newBuilder()
        .setCommandId(c.getCommandId())
        .setOutcome(outcome)
        .setDetail(detail)
        .setStartedTimeNs(now)
        .setFinishedTimeNs(now)
        .setResultSeq(resultSeq.incrementAndGet())
        .putAllFacts(facts)
        .build();
  }

  /**
   * Connects a test agent and waits until its stream is registered.
   *
   * @param answer the result for each command; null for none (the agent stays silent)
   */
  public Agent connect(String agentId, String hostname, Function<Command, CommandResult> answer)
      throws InterruptedException {
    Agent a = new Agent(agentId, hostname, answer);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!agents.ids().contains(agentId)) {
      assertTrue(System.nanoTime() < until, "the test agent never connected");
      Thread.sleep(20);
    }
    return a;
  }

  /** One test agent's stream. */
  public final class Agent {
    public final BlockingQueue<Command> received = new LinkedBlockingQueue<>();
    private final StreamObserver<AgentMessage> requests;
    private final String agentId;

    Agent(String agentId, String hostname, Function<Command, CommandResult> answer) {
      this.agentId = agentId;
      requests =
          AgentServiceGrpc.newStub(channel).stream(
              new StreamObserver<>() {
                @Override
                public void onNext(CollectorMessage m) {
                  if (!m.hasCommand()) {
                    return;
                  }
                  received.add(m.getCommand());
                  if (answer != null) {
                    send(answer.apply(m.getCommand()));
                  }
                }

                @Override
                public void onError(Throwable t) {}

                @Override
                public void onCompleted() {}
              });
      synchronized (this) {
        requests.onNext(
            AgentMessage.newBuilder()
                .setHello(
                    Hello.newBuilder()
                        .setAgentId(agentId)
                        .setStreamEpoch("e1")
                        .setSchemaVersion(SchemaVersion.newBuilder().setMajor(1))
                        .setHost(HostInfo.newBuilder().setHostname(hostname))
                        .setAgentVersion("0.1.0"))
                .build());
      }
    }

    /** Sends a result (again, for a re-send). */
    public void send(CommandResult r) {
      synchronized (this) {
        requests.onNext(
            AgentMessage.newBuilder()
                .setCommandResults(CommandResultBatch.newBuilder().addResults(r))
                .build());
      }
    }

    /** Ends the stream and waits until the collector has unregistered it. */
    public void disconnect() throws InterruptedException {
      synchronized (this) {
        requests.onCompleted();
      }
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (agents.ids().contains(agentId)) {
        assertTrue(System.nanoTime() < until, "the stream never ended");
        Thread.sleep(20);
      }
    }
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    ingest.close();
    store.close();
  }
}
