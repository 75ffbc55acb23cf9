package io.vigil.collector.stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.EnrollmentServiceGrpc;
import io.vigil.proto.v1.Hello;
import io.vigil.proto.v1.SchemaVersion;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An agent's side of the port over real TLS, optionally with a client certificate. */
public final class AgentClient implements AutoCloseable {
  private final ManagedChannel channel;
  final BlockingQueue<CollectorMessage> received = new LinkedBlockingQueue<>();
  final CompletableFuture<Status> ended = new CompletableFuture<>();
  private StreamObserver<AgentMessage> requests;

  public AgentClient(int port, String caPem, String keyPem, String chainPem) throws Exception {
    TlsChannelCredentials.Builder b =
        TlsChannelCredentials.newBuilder().trustManager(stream(caPem));
    if (keyPem != null) {
      b.keyManager(stream(chainPem), stream(keyPem));
    }
    ChannelCredentials creds = b.build();
    channel = NettyChannelBuilder.forAddress("localhost", port, creds).build();
  }

  private static ByteArrayInputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }

  public EnrollmentServiceGrpc.EnrollmentServiceBlockingStub enrollment() {
    return EnrollmentServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  /** Opens the stream and sends a Hello naming {@code agentId}. */
  public AgentClient hello(String agentId) {
    return hello(agentId, "e1");
  }

  /** Opens the stream and sends a Hello naming {@code agentId} and {@code epoch}. */
  public AgentClient hello(String agentId, String epoch) {
    open();
    send(
        AgentMessage.newBuilder()
            .setHello(
                Hello.newBuilder()
                    .setAgentId(agentId)
                    .setStreamEpoch(epoch)
                    .setSchemaVersion(SchemaVersion.newBuilder().setMajor(1)))
            .build());
    return this;
  }

  /** Opens the stream without sending anything. */
  public AgentClient open() {
    requests =
        AgentServiceGrpc.newStub(channel).stream(
            new StreamObserver<>() {
              @Override
              public void onNext(CollectorMessage m) {
                received.add(m);
              }

              @Override
              public void onError(Throwable t) {
                ended.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                ended.complete(Status.OK);
              }
            });
    return this;
  }

  /** The channel, for raw calls. */
  ManagedChannel channel() {
    return channel;
  }

  public void send(AgentMessage m) {
    requests.onNext(m);
  }

  /** The next message from the collector (fails after a minute). */
  public CollectorMessage next() throws InterruptedException {
    CollectorMessage m = received.poll(60, TimeUnit.SECONDS);
    assertNotNull(m, "no message from the collector; stream ended: " + ended.getNow(null));
    return m;
  }

  /** How the stream ended (waits up to a minute). */
  public Status status() throws Exception {
    return ended.get(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
