package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.stub.ServerCallStreamObserver;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.EventStore;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.Command;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.CommandResultBatch;
import io.vigil.proto.v1.Ping;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One stream's handler driven directly (its gRPC side is a recording observer whose cancellation
 * the test fires), against a real store: orderings that the network makes hard to reach on purpose.
 */
class AgentStreamCallTest {
  @TempDir Path dir;
  private final MetricsRegistry metrics = new MetricsRegistry();
  private final ConnectedAgents agents = new ConnectedAgents();
  private final StreamLimits limits = StreamLimits.defaults(1 << 20);
  private final AgentStreamSlots slots = new AgentStreamSlots(0, metrics.counter("t", "t"));
  private EventStore store;
  private IngestService ingest;

  @BeforeEach
  void start() throws Exception {
    store = EventStore.open(dir.resolve("vigil.db"));
    ingest = new IngestService(store, IngestOptions.defaults(), metrics, List.of());
  }

  @AfterEach
  void stop() throws Exception {
    ingest.close();
    store.close();
  }

  private AgentStreamCall call(Recorder out) {
    return new AgentStreamCall(
        out,
        ingest,
        agents,
        new StreamMetrics(metrics),
        "test peer",
        null,
        null,
        limits,
        "test",
        slots,
        null,
        new RefusalLog(line -> {}, System::nanoTime));
  }

  @Test
  void aStreamCancelledBeforeItsWelcomeDoesNotSupersedeTheLiveOne() throws Exception {
    String agent = UUID.randomUUID().toString();
    Recorder liveOut = new Recorder();
    AgentStreamCall live = call(liveOut);
    live.onNext(hello(agent, "e1"));
    assertTrue(liveOut.next().hasWelcome());

    Recorder lateOut = new Recorder();
    AgentStreamCall late = call(lateOut);
    // Hold the database's write lock, so that the late Hello waits in the store while its stream
    // is cancelled.
    try (Connection lock = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("vigil.db"));
        Statement st = lock.createStatement()) {
      st.execute("BEGIN IMMEDIATE");
      late.onNext(hello(agent, "e2")); // queued for the writer when onNext returns
      lateOut.cancel();
      st.execute("ROLLBACK");
    }
    awaitStreamRow(agent, "e2"); // the late Hello committed: its welcome() has run or is next
    // Results go through the same writer, after the late Hello's completion.
    live.onNext(results("after"));
    CollectorMessage m = liveOut.next();
    assertEquals(List.of("after"), m.getCommandResultAck().getCommandIdsList(), m.toString());

    assertTrue(liveOut.end.getNow(null) == null, "live stream ended: " + liveOut.end.getNow(null));
    assertTrue(lateOut.received.isEmpty(), "the cancelled stream got " + lateOut.received);
    assertTrue(
        agents.send(
            agent,
            Command.newBuilder().setCommandId("c").setPing(Ping.getDefaultInstance()).build()));
    assertEquals("c", liveOut.next().getCommand().getCommandId());
    assertEquals(1, slots.streams(agent), "the cancelled stream gave its slot back");
  }

  @Test
  void withoutTlsTheStreamsOfOneAgentAreBoundedAtTheHello() throws Exception {
    String agent = UUID.randomUUID().toString();
    AgentStreamSlots.Slot held1 = slots.acquire(agent);
    AgentStreamSlots.Slot held2 = slots.acquire(agent);
    Recorder out = new Recorder();
    call(out).onNext(hello(agent, "e1"));
    Throwable end = out.end.get(60, TimeUnit.SECONDS);
    assertEquals(
        "RESOURCE_EXHAUSTED: too many streams for agent " + agent,
        String.valueOf(end.getMessage()));
    held1.release();
    held2.release();
    assertEquals(0, slots.size());
  }

  private void awaitStreamRow(String agentId, String epoch) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("vigil.db"));
        PreparedStatement ps =
            c.prepareStatement("SELECT count(*) FROM streams WHERE agent_id = ? AND epoch = ?")) {
      ps.setString(1, agentId);
      ps.setString(2, epoch);
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == 1) {
            return;
          }
        }
        assertTrue(System.nanoTime() < deadline, "stream " + epoch + " never stored");
        Thread.sleep(10);
      }
    }
  }

  private static InboundMessage hello(String agentId, String epoch) {
    AgentMessage m = HostileStreamTest.hello(agentId);
    return new InboundMessage.Parsed(
        m.toBuilder().setHello(m.getHello().toBuilder().setStreamEpoch(epoch)).build());
  }

  private static InboundMessage results(String id) {
    return new InboundMessage.Parsed(
        AgentMessage.newBuilder()
            .setCommandResults(
                CommandResultBatch.newBuilder()
                    .addResults(
                        CommandResult.newBuilder()
                            .setCommandId(id)
                            .setOutcome(CommandResult.Outcome.OUTCOME_SUCCEEDED)
                            .setFinishedTimeNs(1)))
            .build());
  }

  /** The gRPC side of a stream: records what is sent, and is cancelled when the test says. */
  private static final class Recorder extends ServerCallStreamObserver<CollectorMessage> {
    final BlockingQueue<CollectorMessage> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Throwable> end = new CompletableFuture<>();
    private volatile boolean cancelled;
    private volatile Runnable onCancel = () -> {};

    void cancel() {
      cancelled = true;
      onCancel.run();
    }

    CollectorMessage next() throws InterruptedException {
      CollectorMessage m = received.poll(60, TimeUnit.SECONDS);
      if (m == null) {
        throw new AssertionError("nothing sent within 60 s; ended: " + end.getNow(null));
      }
      return m;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public void setOnCancelHandler(Runnable handler) {
      onCancel = handler;
    }

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable handler) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(CollectorMessage value) {
      received.add(value);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(t);
    }

    @Override
    public void onCompleted() {
      end.complete(null);
    }
  }
}
