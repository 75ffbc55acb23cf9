package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.VigilProcess;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile bytes on the collector port close only the offending connection or stream. */
class MalformedInputTest {
  @TempDir Path dir;

  @Test
  void garbageAndMalformedProtobufAreRejectedWhileOtherAgentsKeepStreaming() throws Exception {
    long n = 30_000;
    try (Deployment d = new Deployment(dir)) {
      VigilProcess collector = d.startCollector();
      VigilProcess agent = d.startAgent(n, 5_000);
      d.awaitStored(1_000, Duration.ofMinutes(1), agent, collector);

      // 1. Raw garbage instead of a TLS handshake: the connection is closed.
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), d.port())) {
        s.setSoTimeout(15_000);
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.0\r\n\r\n\u0000\u00ff garbage".getBytes("ISO-8859-1"));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        while (in.read(buf) >= 0) {
          // drain until the collector closes the connection
        }
      }

      // 2. A valid TLS + HTTP/2 + gRPC call whose message is not an AgentMessage.
      Status status = sendMalformedMessage(d);
      assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
      assertTrue(status.getDescription().contains("malformed AgentMessage"), status.toString());

      // The well-behaved agent was not disturbed.
      d.awaitStored(n, Duration.ofMinutes(3), agent, collector);
      DeliveryTest.assertExactlyOnce(d.store().numbers(null), n);
      assertTrue(collector.isAlive());
      String log = collector.logText();
      assertEquals(1, count(log, "malformed AgentMessage"), log);
      assertEquals(1, count(log, "TLS handshake failed"), log);
      assertTrue(collector.isAlive());
    }
  }

  private static Status sendMalformedMessage(Deployment d) throws Exception {
    ManagedChannel ch =
        NettyChannelBuilder.forAddress(
                "127.0.0.1",
                d.port(),
                // As the enrolled agent: without a client certificate the collector refuses the
                // stream before it reads a message.
                TlsChannelCredentials.newBuilder()
                    .keyManager(
                        d.agentPki().resolve("agent.pem").toFile(),
                        d.agentPki().resolve("agent.key").toFile())
                    .trustManager(d.collectorState().resolve("pki/ca.pem").toFile())
                    .build())
            .build();
    try {
      MethodDescriptor<byte[], byte[]> raw =
          AgentServiceGrpc.getStreamMethod().toBuilder(new BytesMarshaller(), new BytesMarshaller())
              .build();
      CompletableFuture<Status> done = new CompletableFuture<>();
      StreamObserver<byte[]> requests =
          ClientCalls.asyncBidiStreamingCall(
              ch.newCall(raw, io.grpc.CallOptions.DEFAULT),
              new StreamObserver<>() {
                @Override
                public void onNext(byte[] value) {}

                @Override
                public void onError(Throwable t) {
                  done.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                  done.complete(Status.OK);
                }
              });
      // Field 1 (hello), length-delimited, claiming 200 bytes that are not there.
      requests.onNext(new byte[] {0x0a, (byte) 0xc8, 0x01, 0x01, 0x02});
      return done.get(30, TimeUnit.SECONDS);
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static int count(String haystack, String needle) {
    int c = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      c++;
    }
    return c;
  }

  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
