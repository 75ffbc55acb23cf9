package io.vigil.agent.ship;

import io.grpc.Channel;
import java.io.IOException;

/**
 * Where the shipper gets its channel. Opening may fail (the CA file is not there yet, say); the
 * shipper then treats it like a failed connection and retries with backoff, while sensors and the
 * spool go on working.
 */
@FunctionalInterface
public interface ChannelSource {
  Channel open() throws IOException;
}
