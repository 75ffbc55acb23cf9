package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
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
import io.vigil.proto.v1.HostInfo;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.SchemaVersion;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile agents against the real agent port (Netty over loopback, plaintext: the transport
 * security is not what is tested here): oversized messages, gzip bombs, batches past the event
 * limit and an agent over its rate, while an honest agent keeps streaming.
 */
class HostileStreamTest {
  private static final int LIMIT = 4 << 20;

  @TempDir Path dir;
  private final MetricsRegistry metrics = new MetricsRegistry();
  private EventStore store;
  private IngestService ingest;
  private AgentStreamServer server;
  private ManagedChannel honestChannel;

  private void start(StreamLimits limits) throws Exception {
    store = EventStore.open(dir.resolve("vigil.db"));
    ingest = new IngestService(store, IngestOptions.defaults(), metrics, List.of());
    server =
        AgentStreamServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            null,
            null,
            true,
            new AgentStreamService(ingest, new ConnectedAgents(), metrics, limits, "test"),
            limits.maxMessageBytes());
    honestChannel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    if (honestChannel != null) {
      honestChannel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
    if (ingest != null) {
      ingest.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void bombsAreRefusedWithResourceExhaustedWhileAnHonestAgentKeepsStreaming() throws Exception {
    start(StreamLimits.defaults(LIMIT));
    Agent honest = new Agent(honestChannel, UUID.randomUUID().toString());
    long seq = honest.sendAndAwaitAck(1, 10);

    CompletableFuture<Void> bombs;
    long proxied;
    try (CountingProxy proxy = new CountingProxy(server.port())) {
      ManagedChannel hostile = RawStreamClient.channel("127.0.0.1", proxy.port());
      try {
        bombs =
            CompletableFuture.runAsync(
                () -> {
                  try {
                    hugeMessage(hostile);
                    tenGigabyteBomb(hostile);
                    smallBombPastTheInflatedLimit(hostile);
                    hugeMessageAfterTheWelcome(hostile);
                  } catch (Exception e) {
                    throw new AssertionError(e);
                  }
                });
        // (d) while the bombs go off, the honest agent's batches are stored and acknowledged.
        while (!bombs.isDone()) {
          seq = honest.sendAndAwaitAck(seq + 1, 10);
        }
        bombs.get();
        seq = honest.sendAndAwaitAck(seq + 1, 10);
        proxied = proxy.toServer.get();
      } finally {
        hostile.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
    // 2 x 100 MB + 10 MB were offered; the collector refused each from its frame header, so the
    // clients got to send little more than the HTTP/2 flow-control windows.
    assertTrue(proxied < 24 << 20, "bytes that reached the collector: " + proxied);
    assertEquals(4, metrics.counter("vigil_collector_messages_oversized_total", "").get());
    try (var reader = EventStore.openReadOnly(dir.resolve("vigil.db"))) {
      assertEquals(seq, reader.countEvents());
    }
  }

  /** (a) 100 MB uncompressed: refused from the frame header, never buffered. */
  private static void hugeMessage(ManagedChannel ch) throws Exception {
    RawStreamClient c = new RawStreamClient(ch, false);
    c.send(new RawStreamClient.Zeros(100L << 20));
    assertExhausted(c.awaitEnd());
  }

  /** (b) ~10 MB of gzip that inflates to ~10 GiB: refused by the compressed size already. */
  private static void tenGigabyteBomb(ManagedChannel ch) throws Exception {
    byte[] bomb = GzipBombs.bomb(100);
    assertTrue(bomb.length > LIMIT && bomb.length < 16 << 20, "bomb size " + bomb.length);
    RawStreamClient c = new RawStreamClient(ch, true);
    c.send(bomb);
    assertExhausted(c.awaitEnd());
  }

  /**
   * (a) again, after the Welcome. The collector ends the stream with RESOURCE_EXHAUSTED (logged and
   * counted), but gRPC-java refuses an oversized frame in its transport, which can tell the client
   * only by RST_STREAM once the response headers are out: the agent sees CANCELLED.
   */
  private static void hugeMessageAfterTheWelcome(ManagedChannel ch) throws Exception {
    RawStreamClient c = new RawStreamClient(ch, false);
    c.send(hello(UUID.randomUUID().toString()).toByteArray());
    assertTrue(c.next().hasWelcome());
    c.send(new RawStreamClient.Zeros(100L << 20));
    Status end = c.awaitEnd();
    assertEquals(Status.Code.CANCELLED, end.getCode(), end.toString());
  }

  /** (c) ~100 KB of gzip, under the limit, inflating to ~100 MiB: refused after inflating 4 MiB. */
  private static void smallBombPastTheInflatedLimit(ManagedChannel ch) throws Exception {
    byte[] bomb = GzipBombs.firstMember();
    assertTrue(bomb.length < LIMIT, "bomb size " + bomb.length);
    String agentId = UUID.randomUUID().toString();
    RawStreamClient c = new RawStreamClient(ch, true);
    c.send(GzipBombs.gzip(hello(agentId).toByteArray()));
    assertTrue(c.next().hasWelcome());
    c.send(bomb);
    Status end = c.awaitEnd();
    assertExhausted(end);
    assertTrue(end.getDescription().contains("after decompression"), end.toString());
    assertTrue(end.getDescription().contains(agentId), end.toString());
  }

  private static void assertExhausted(Status status) {
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
  }

  @Test
  void parsingAnInflatingBombStopsAtTheLimit() throws Exception {
    // What the collector does with (b) once gRPC lets it through: gRPC inflates with a
    // GZIPInputStream, which reads concatenated members; the parser reads that at most to the
    // limit.
    byte[] bomb = GzipBombs.bomb(100);
    long[] inflated = {0};
    InputStream counted =
        new java.io.FilterInputStream(new GZIPInputStream(new java.io.ByteArrayInputStream(bomb))) {
          @Override
          public int read(byte[] b, int off, int len) throws java.io.IOException {
            int n = super.read(b, off, len);
            inflated[0] += Math.max(0, n);
            return n;
          }

          @Override
          public int read() throws java.io.IOException {
            int n = super.read();
            inflated[0] += n >= 0 ? 1 : 0;
            return n;
          }
        };
    assertTrue(
        new LenientMarshaller(LIMIT).parse(counted) instanceof InboundMessage.Oversized,
        "a bomb must parse as oversized");
    assertTrue(inflated[0] <= LIMIT + (64 << 10), "inflated " + inflated[0] + " bytes");
    // And the bomb is real: its members inflate to 100 MiB each.
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bomb))) {
      assertTrue(in.skip(200L << 20) > 150L << 20);
    }
  }

  @Test
  void aBatchOverTheEventLimitEndsTheStreamWithInvalidArgument() throws Exception {
    start(new StreamLimits(LIMIT, 5, 10, 0));
    Agent agent = new Agent(honestChannel, UUID.randomUUID().toString());
    agent.send(batch(1, 6));
    Status end = agent.end.get(60, TimeUnit.SECONDS);
    assertEquals(Status.Code.INVALID_ARGUMENT, end.getCode(), end.toString());
    assertTrue(end.getDescription().contains("ingest.max_batch_events"), end.toString());
  }

  @Test
  void aHelloWithAnOversizedHostnameIsRefused() throws Exception {
    start(StreamLimits.defaults(LIMIT));
    Agent agent = new Agent(honestChannel, null);
    agent.send(
        hello(UUID.randomUUID().toString()).toBuilder()
            .setHello(
                hello(UUID.randomUUID().toString()).getHello().toBuilder()
                    .setHost(HostInfo.newBuilder().setHostname("h".repeat(1000))))
            .build());
    Status end = agent.end.get(60, TimeUnit.SECONDS);
    assertEquals(Status.Code.FAILED_PRECONDITION, end.getCode(), end.toString());
    assertTrue(end.getDescription().startsWith("host.hostname is 1000 characters"), end.toString());
  }

  @Test
  void aHelloOverSixtyFourKibibytesIsRefusedWhateverItCarries() throws Exception {
    start(StreamLimits.defaults(LIMIT));
    Agent agent = new Agent(honestChannel, null);
    AgentMessage big =
        hello(UUID.randomUUID().toString()).toBuilder()
            .setHello(
                hello(UUID.randomUUID().toString()).getHello().toBuilder()
                    .setHost(HostInfo.newBuilder().setHostname("h".repeat(100_000))))
            .build();
    agent.send(big);
    Status end = agent.end.get(60, TimeUnit.SECONDS);
    assertEquals(Status.Code.FAILED_PRECONDITION, end.getCode(), end.toString());
    assertEquals(
        "Hello is " + big.getHello().getSerializedSize() + " bytes, at most 65536",
        end.getDescription());
    assertEquals(1, metrics.counter("vigil_collector_messages_over_limit_total", "").get());
  }

  @Test
  void anAgentOverItsRateIsReadMoreSlowlyAndLosesNothing() throws Exception {
    // 1000 events/s with a burst of one second: 6000 events need about five seconds more.
    start(StreamLimits.defaults(LIMIT).withMaxEventsPerSecond(1000));
    Agent agent = new Agent(honestChannel, UUID.randomUUID().toString());
    for (int i = 0; i < 12; i++) {
      agent.send(batch(1 + i * 500L, 500)); // all at once: the agent does not wait for acks
    }
    long acked = 0;
    while (acked < 6000) {
      CollectorMessage m = agent.next();
      assertTrue(m.hasAck(), m.toString());
      assertTrue(m.getAck().getAckedSeq() > acked, m.toString());
      acked = m.getAck().getAckedSeq();
    }
    assertEquals(6000, acked);
    assertTrue(metrics.counter("vigil_collector_throttled_batches_total", "").get() > 0);
    try (var reader = EventStore.openReadOnly(dir.resolve("vigil.db"))) {
      assertEquals(6000, reader.countEvents());
    }
  }

  static AgentMessage hello(String agentId) {
    return AgentMessage.newBuilder()
        .setHello(
            Hello.newBuilder()
                .setAgentId(agentId)
                .setStreamEpoch("e1")
                .setSchemaVersion(SchemaVersion.newBuilder().setMajor(1))
                .setHost(HostInfo.newBuilder().setHostname("honest")))
        .build();
  }

  static AgentMessage batch(long first, int count) {
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

  /** An honest agent: Hello (when given an id), then batches, each acknowledged. */
  private static final class Agent {
    final BlockingQueue<CollectorMessage> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> end = new CompletableFuture<>();
    final StreamObserver<AgentMessage> requests;

    Agent(ManagedChannel channel, String agentId) throws InterruptedException {
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
      if (agentId != null) {
        send(hello(agentId));
        assertTrue(next().hasWelcome());
      }
    }

    synchronized void send(AgentMessage m) {
      requests.onNext(m);
    }

    CollectorMessage next() throws InterruptedException {
      CollectorMessage m = received.poll(60, TimeUnit.SECONDS);
      if (m == null) {
        throw new AssertionError("no message within 60 s; stream ended: " + end.getNow(null));
      }
      return m;
    }

    /** Sends a batch and waits for its ack; returns the last seq sent. */
    long sendAndAwaitAck(long first, int count) throws InterruptedException {
      send(batch(first, count));
      long last = first + count - 1;
      assertEquals(last, next().getAck().getAckedSeq());
      return last;
    }
  }
}
