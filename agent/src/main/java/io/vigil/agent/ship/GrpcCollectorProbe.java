package io.vigil.agent.ship;

import io.grpc.ManagedChannel;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.ProbeReply;
import io.vigil.proto.v1.ProbeRequest;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * Proves the collector answers over a fresh connection with its {@code AgentService.Probe}: a side
 * channel of its own per call ({@link ChannelHolder#openSide}, to a pinned address while isolated,
 * with the stream's mutual TLS) and a random nonce that must come back. Isolation uses it as its
 * {@code CollectorProbe} ({@code new GrpcCollectorProbe(holder)::probe}); it lives here because
 * only this package talks gRPC in the agent. Thread-safe.
 */
public final class GrpcCollectorProbe {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ChannelHolder channels;

  public GrpcCollectorProbe(ChannelHolder channels) {
    this.channels = channels;
  }

  /**
   * One round trip within {@code timeout}; the channel is shut down afterwards.
   *
   * @throws io.grpc.StatusRuntimeException when the call fails or times out
   * @throws IOException when the credentials cannot be loaded or the nonce does not come back
   */
  public void probe(Duration timeout) throws IOException, InterruptedException {
    byte[] n = new byte[16];
    RANDOM.nextBytes(n);
    String nonce = HexFormat.of().formatHex(n);
    ManagedChannel ch = channels.openSide();
    try {
      ProbeReply reply =
          AgentServiceGrpc.newBlockingStub(ch)
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .probe(ProbeRequest.newBuilder().setNonce(nonce).build());
      if (!reply.getNonce().equals(nonce)) {
        throw new IOException("the collector's probe reply carries another nonce");
      }
    } finally {
      ch.shutdownNow().awaitTermination(1, TimeUnit.SECONDS);
    }
  }
}
