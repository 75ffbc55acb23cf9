package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.ingest.IngestOptions;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.tls.ServerPki;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.SchemaVersion;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent port over real TLS: the right CA connects, another CA's trust does not. */
class AgentStreamServerTlsTest {
  @TempDir Path dir;

  @Test
  void onlyClientsTrustingTheCollectorCaGetAWelcome() throws Exception {
    ServerPki.Paths pki = pki(dir.resolve("pki"));
    ServerPki.Paths otherPki = pki(dir.resolve("other"));
    MetricsRegistry metrics = new MetricsRegistry();
    try (EventStore store = EventStore.open(dir.resolve("vigil.db"));
        IngestService ingest =
            new IngestService(store, IngestOptions.defaults(), metrics, List.of());
        AgentStreamServer server =
            AgentStreamServer.start(
                new InetSocketAddress("127.0.0.1", 0),
                pki.serverCert(),
                pki.serverKey(),
                false,
                new AgentStreamService(ingest, new ConnectedAgents(), metrics, 1 << 20, "t"),
                1 << 20)) {
      CollectorMessage welcome = hello(server.port(), pki.caCert()).get(30, TimeUnit.SECONDS);
      assertTrue(welcome.hasWelcome(), welcome.toString());

      CompletableFuture<CollectorMessage> refused = hello(server.port(), otherPki.caCert());
      Throwable t =
          org.junit.jupiter.api.Assertions.assertThrows(
                  java.util.concurrent.ExecutionException.class,
                  () -> refused.get(30, TimeUnit.SECONDS))
              .getCause();
      assertEquals(Status.Code.UNAVAILABLE, ((StatusRuntimeException) t).getStatus().getCode());
    }
  }

  private static ServerPki.Paths pki(Path d) throws Exception {
    return ServerPki.ensure(
        new ServerPki.Paths(
            d.resolve("ca.pem"), d.resolve("ca.key"), d.resolve("server.pem"), d.resolve("s.key")),
        List.of());
  }

  private static CompletableFuture<CollectorMessage> hello(int port, Path trustedCa)
      throws Exception {
    ManagedChannel ch =
        NettyChannelBuilder.forAddress(
                "localhost",
                port,
                TlsChannelCredentials.newBuilder().trustManager(trustedCa.toFile()).build())
            .build();
    CompletableFuture<CollectorMessage> first = new CompletableFuture<>();
    first.whenComplete((m, e) -> ch.shutdownNow());
    StreamObserver<AgentMessage> requests =
        AgentServiceGrpc.newStub(ch).stream(
            new StreamObserver<>() {
              @Override
              public void onNext(CollectorMessage m) {
                first.complete(m);
              }

              @Override
              public void onError(Throwable t) {
                first.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                first.completeExceptionally(new IllegalStateException("closed"));
              }
            });
    requests.onNext(
        AgentMessage.newBuilder()
            .setHello(
                Hello.newBuilder()
                    .setAgentId(UUID.randomUUID().toString())
                    .setStreamEpoch("e1")
                    .setSchemaVersion(SchemaVersion.newBuilder().setMajor(1)))
            .build());
    return first;
  }
}
