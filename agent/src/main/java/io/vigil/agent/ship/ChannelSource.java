package io.vigil.agent.ship;

import io.grpc.Channel;
import io.vigil.agent.pki.ClientCertificate;
import java.io.IOException;
import java.util.Optional;

/**
 * Where the shipper gets its channel, once per connection attempt. Opening may fail (the agent is
 * not enrolled yet, say: {@link NotEnrolledException}); the shipper then treats it like a failed
 * connection and retries with backoff, while sensors and the spool go on working.
 */
@FunctionalInterface
public interface ChannelSource {
  /** The channel for the next stream. Called by the shipper thread before each attempt. */
  Channel open() throws IOException;

  /** The client certificate the last opened channel presents; empty for plaintext. */
  default Optional<ClientCertificate> clientCertificate() {
    return Optional.empty();
  }
}
