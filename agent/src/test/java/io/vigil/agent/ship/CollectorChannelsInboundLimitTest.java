package io.vigil.agent.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.grpc.Compressor;
import io.grpc.CompressorRegistry;
import io.grpc.InsecureServerCredentials;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.Hello;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The agent's channel refuses collector messages over 4 MiB, also when they arrive gzip-compressed
 * under 4 MiB and inflate past it: a hostile or impersonated collector cannot exhaust the agent's
 * heap with a gzip bomb. Real Netty over loopback, plaintext.
 */
class CollectorChannelsInboundLimitTest {
  private static final int MIB = 1 << 20;

  @Test
  void aGzipBombFromTheCollectorEndsTheStreamInsteadOfInflating() throws Exception {
    // ~100 KiB of gzip that inflates to a 100 MiB CollectorMessage: under the limit compressed.
    Status small = receive(bomb(1));
    assertEquals(Status.Code.CANCELLED, small.getCode(), small.toString());
    assertTrue(causes(small, Status.Code.RESOURCE_EXHAUSTED), small.toString());
    // ~10 MB of gzip that inflates to 10 GiB: over the limit already compressed.
    Status big = receive(bomb(100));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, big.getCode(), big.toString());
  }

  private static boolean causes(Status status, Status.Code code) {
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (Status.fromThrowable(t).getCode() == code) {
        return true;
      }
    }
    return false;
  }

  /** Runs a collector that answers the Hello with {@code payload} as a gzip message. */
  private static Status receive(byte[] payload) throws Exception {
    CompressorRegistry compressors = CompressorRegistry.newEmptyInstance();
    compressors.register(new PreCompressed());
    MethodDescriptor<InputStream, InputStream> raw =
        AgentServiceGrpc.getStreamMethod().toBuilder(new Raw(), new Raw()).build();
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(AgentServiceGrpc.SERVICE_NAME)
            .addMethod(
                raw, ServerCalls.asyncBidiStreamingCall(responses -> answer(responses, payload)))
            .build();
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .compressorRegistry(compressors)
            .addService(service)
            .build()
            .start();
    ManagedChannel ch =
        CollectorChannels.open(
            "127.0.0.1",
            server.getPort(),
            null,
            "",
            true,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30));
    try {
      CompletableFuture<Status> end = new CompletableFuture<>();
      StreamObserver<AgentMessage> requests =
          AgentServiceGrpc.newStub(ch).stream(
              new StreamObserver<>() {
                @Override
                public void onNext(CollectorMessage m) {
                  end.completeExceptionally(new AssertionError("a bomb was accepted"));
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
      requests.onNext(
          AgentMessage.newBuilder().setHello(Hello.newBuilder().setAgentId("a")).build());
      return end.get(2, TimeUnit.MINUTES);
    } finally {
      ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** Answers the first message with {@code payload}, sent as a gzip-compressed message. */
  private static StreamObserver<InputStream> answer(
      StreamObserver<InputStream> responses, byte[] payload) {
    ServerCallStreamObserver<InputStream> out = (ServerCallStreamObserver<InputStream>) responses;
    out.setCompression("gzip");
    out.setMessageCompression(true);
    return new StreamObserver<InputStream>() {
      @Override
      public void onNext(InputStream hello) {
        out.onNext(new Bytes(payload));
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {}
    };
  }

  /**
   * Gzip members of a Welcome announced as 1 GiB, filled with unknown 1 MiB fields of zeros (valid
   * protobuf, so only a size limit stops a parser): ~100 KiB each, 100 MiB inflated.
   */
  private static byte[] bomb(int members) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(member(true));
    byte[] more = member(false);
    for (int i = 1; i < members; i++) {
      out.writeBytes(more);
    }
    return out.toByteArray();
  }

  private static byte[] member(boolean startsMessage) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] zeros = new byte[MIB];
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 << 10)) {
      if (startsMessage) {
        gz.write(lengthPrefix(CollectorMessage.WELCOME_FIELD_NUMBER, 1 << 30));
      }
      byte[] field = lengthPrefix(15, MIB);
      for (int i = 0; i < 100; i++) {
        gz.write(field);
        gz.write(zeros);
      }
    }
    return out.toByteArray();
  }

  private static byte[] lengthPrefix(int field, int length) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(length);
    out.flush();
    return bytes.toByteArray();
  }

  /** Registered as "gzip" on the fake collector: the payloads are gzip already. */
  private static final class PreCompressed implements Compressor {
    @Override
    public String getMessageEncoding() {
      return "gzip";
    }

    @Override
    public OutputStream compress(OutputStream os) {
      return os;
    }
  }

  private static final class Raw implements MethodDescriptor.Marshaller<InputStream> {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      try {
        return new ByteArrayInputStream(stream.readAllBytes());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static final class Bytes extends ByteArrayInputStream implements KnownLength {
    Bytes(byte[] b) {
      super(b);
    }
  }
}
