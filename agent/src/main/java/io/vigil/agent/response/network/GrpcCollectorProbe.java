package io.vigil.agent.response.network;

import io.grpc.ManagedChannel;
import io.vigil.agent.ship.ChannelHolder;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.ProbeReply;
import io.vigil.proto.v1.ProbeRequest;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * {@link CollectorProbe} with the collector's {@code AgentService.Probe}: a side channel of its own
 * per attempt ({@link ChannelHolder#openSide}, to a pinned address while isolated, with the
 * stream's mutual TLS), a random nonce that must come back. Thread-safe.
 */
public final class GrpcCollectorProbe implements CollectorProbe {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ChannelHolder channels;

  public GrpcCollectorProbe(ChannelHolder channels) {
    this.channels = channels;
  }

  @Override
  public void probe(Duration timeout) throws Exception {
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
