package io.vigil.agent.ship;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.ProbeReply;
import io.vigil.proto.v1.ProbeRequest;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The probe against a real gRPC server on loopback (plaintext: the holder is insecure). */
class GrpcCollectorProbeTest {
  @TempDir Path dir;

  /** Plaintext: no certificate needed. */
  private ChannelHolder channels(String host, int port) {
    return new ChannelHolder(
        new io.vigil.agent.config.CollectorConnection(
            java.util.Optional.of(new io.vigil.common.config.HostPort(host, port)),
            dir.resolve("collector-address"),
            dir.resolve("agent.pem"),
            dir.resolve("agent.key"),
            dir.resolve("ca.pem"),
            "",
            "none",
            Duration.ofSeconds(2),
            Duration.ofSeconds(30),
            Duration.ofMillis(100),
            Duration.ofSeconds(1)),
        true);
  }

  private static Server server(UnaryOperator<String> echo, AtomicInteger calls) throws Exception {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(
            new AgentServiceGrpc.AgentServiceImplBase() {
              @Override
              public void probe(ProbeRequest req, StreamObserver<ProbeReply> out) {
                calls.incrementAndGet();
                out.onNext(ProbeReply.newBuilder().setNonce(echo.apply(req.getNonce())).build());
                out.onCompleted();
              }
            })
        .build()
        .start();
  }

  @Test
  void aFreshConnectionPerProbeAndTheNonceMustComeBack() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Server s = server(n -> n, calls);
    try {
      ChannelHolder ch = channels("127.0.0.1", s.getPort());
      GrpcCollectorProbe probe = new GrpcCollectorProbe(ch);
      probe.probe(Duration.ofSeconds(10));
      probe.probe(Duration.ofSeconds(10));
      assertTrue(calls.get() == 2);
    } finally {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void goesToThePinnedAddressAndPortWithoutResolvingTheName() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Server s = server(n -> n, calls);
    try {
      // The configured port is not the pinned one: the pinned port is what the isolation allows.
      ChannelHolder ch = channels("collector.invalid", 1);
      ch.pin().pin(java.util.List.of(java.net.InetAddress.getByName("127.0.0.1")), s.getPort());
      new GrpcCollectorProbe(ch).probe(Duration.ofSeconds(10));
      assertTrue(calls.get() == 1);
    } finally {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void anotherNonceOrNoServerIsAFailure() throws Exception {
    Server s = server(n -> "not-" + n, new AtomicInteger());
    try {
      GrpcCollectorProbe probe = new GrpcCollectorProbe(channels("127.0.0.1", s.getPort()));
      Exception e = assertThrows(Exception.class, () -> probe.probe(Duration.ofSeconds(10)));
      assertTrue(e.getMessage().contains("nonce"), e.getMessage());
    } finally {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    int free;
    try (ServerSocket ss = new ServerSocket(0)) {
      free = ss.getLocalPort();
    }
    GrpcCollectorProbe nobody = new GrpcCollectorProbe(channels("127.0.0.1", free));
    assertThrows(Exception.class, () -> nobody.probe(Duration.ofSeconds(5)));
  }
}
