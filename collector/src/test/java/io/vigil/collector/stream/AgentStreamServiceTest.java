package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.EventStore;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.Ping;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.SchemaVersion;
import java.nio.file.Path;
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

/** The agent stream endpoint over in-process gRPC, with a real SQLite store behind it. */
class AgentStreamServiceTest {
  @TempDir Path dir;
  private EventStore store;
  private IngestService ingest;
  private Server server;
  private ManagedChannel channel;
  private final ConnectedAgents agents = new ConnectedAgents();
  private final MetricsRegistry metrics = new MetricsRegistry();

  @BeforeEach
  void start() throws Exception {
    store = EventStore.open(dir.resolve("vigil.db"));
    ingest = new IngestService(store, IngestOptions.defaults(), metrics, List.of());
    AgentStreamService service = new AgentStreamService(ingest, agents, metrics, 1 << 20, "test");
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(service.definition())
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    ingest.close();
    store.close();
  }

  @Test
  void helloThenBatchIsWelcomedAndAcknowledgedAfterCommit() throws Exception {
    Client c = new Client();
    String agentId = UUID.randomUUID().toString();
    c.send(hello(agentId, 1));
    assertEquals(0, c.next().getWelcome().getResumeAfterSeq());
    c.send(batch(1, 3));
    assertEquals(3, c.next().getAck().getAckedSeq());
    try (var reader = EventStore.openReadOnly(dir.resolve("vigil.db"))) {
      assertEquals(3, reader.countEvents());
    }
    // A command reaches the connected agent on the same stream.
    assertTrue(
        agents.send(
            agentId,
            io.vigil.proto.v1.Command.newBuilder()
                .setCommandId("c-1")
                .setPing(Ping.newBuilder().setNote("hi"))
                .build()));
    assertEquals("c-1", c.next().getCommand().getCommandId());
    c.requests.onCompleted();
  }

  @Test
  void unsupportedSchemaMajorIsRefusedWithAClearStatus() throws Exception {
    Client c = new Client();
    c.send(hello(UUID.randomUUID().toString(), 2));
    Status s = c.end.get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode());
    assertTrue(
        s.getDescription().contains("schema major version 2 is not supported"), s.toString());
  }

  @Test
  void aStreamMustStartWithHello() throws Exception {
    Client c = new Client();
    c.send(batch(1, 1));
    Status s = c.end.get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode());
    assertTrue(s.getDescription().contains("first message must be a Hello"), s.toString());
  }

  @Test
  void anAgentIdThatIsNotAUuidIsRefused() throws Exception {
    Client c = new Client();
    c.send(hello("../../etc/passwd\u001b[2J", 1));
    Status s = c.end.get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode());
    assertEquals(1, metrics.total("vigil_collector_streams_rejected_total"));
  }

  @Test
  void anEpochThatIsNotAShortIdentifierIsRefusedNotRetried() throws Exception {
    Client c = new Client();
    c.send(
        AgentMessage.newBuilder()
            .setHello(
                Hello.newBuilder()
                    .setAgentId(UUID.randomUUID().toString())
                    .setStreamEpoch("epoch\nwith newline")
                    .setSchemaVersion(SchemaVersion.newBuilder().setMajor(1)))
            .build());
    Status s = c.end.get(10, TimeUnit.SECONDS);
    assertEquals(Status.Code.FAILED_PRECONDITION, s.getCode(), s.toString());
    assertTrue(s.getDescription().contains("stream_epoch"), s.toString());
  }

  @Test
  void aNewerStreamOfTheSameAgentSupersedesTheOlder() throws Exception {
    String agentId = UUID.randomUUID().toString();
    Client first = new Client();
    first.send(hello(agentId, 1));
    first.next();
    Client second = new Client();
    second.send(hello(agentId, 1));
    second.next();
    assertEquals(Status.Code.ABORTED, first.end.get(10, TimeUnit.SECONDS).getCode());
    assertEquals(java.util.Set.of(agentId), agents.ids());
  }

  private static AgentMessage hello(String agentId, int major) {
    return AgentMessage.newBuilder()
        .setHello(
            Hello.newBuilder()
                .setAgentId(agentId)
                .setStreamEpoch(UUID.randomUUID().toString())
                .setSchemaVersion(SchemaVersion.newBuilder().setMajor(major)))
        .build();
  }

  private static AgentMessage batch(long first, int count) {
    EventBatch.Builder b = EventBatch.newBuilder().setFirstSeq(first);
    for (int i = 0; i < count; i++) {
      b.addEvents(
          Event.newBuilder()
              .setSeq(first + i)
              .setEventTimeNs(1)
              .setProcessExec(ProcessExec.newBuilder().addArgs("/bin/true"))
              .build()
              .toByteString());
    }
    return AgentMessage.newBuilder().setBatch(b).build();
  }

  /** A raw client of the stream that records what the collector sends. */
  private final class Client {
    final BlockingQueue<CollectorMessage> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();
    final StreamObserver<AgentMessage> requests;

    Client() {
      requests =
          AgentServiceGrpc.newStub(channel).stream(
              new StreamObserver<>() {
                @Override
                public void onNext(CollectorMessage m) {
                  received.add(m);
                }

                @Override
                public void onError(Throwable t) {
                  end.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                  end.complete(Status.OK);
                }
              });
    }

    void send(AgentMessage m) {
      requests.onNext(m);
    }

    CollectorMessage next() throws InterruptedException {
      CollectorMessage m = received.poll(10, TimeUnit.SECONDS);
      if (m == null) {
        throw new AssertionError("nothing received; stream ended with " + end.getNow(null));
      }
      return m;
    }
  }
}
