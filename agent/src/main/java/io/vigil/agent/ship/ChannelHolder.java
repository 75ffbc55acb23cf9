package io.vigil.agent.ship;

import io.grpc.ManagedChannel;
import io.vigil.agent.config.CollectorConnection;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Opens the channel to the collector on first use and keeps it; closes it at shutdown. Opening
 * lazily lets the agent start (and spool) before the collector's CA file is installed.
 */
public final class ChannelHolder implements AutoCloseable, ChannelSource {
  private final CollectorConnection c;
  private final boolean insecure;
  private ManagedChannel channel;

  public ChannelHolder(CollectorConnection c, boolean insecure) {
    this.c = c;
    this.insecure = insecure;
  }

  @Override
  public synchronized ManagedChannel open() throws IOException {
    if (channel == null) {
      channel =
          CollectorChannels.open(
              c.address().host(),
              c.address().port(),
              c.caFile(),
              c.serverName(),
              insecure,
              c.connectTimeout(),
              c.keepaliveTime());
    }
    return channel;
  }

  @Override
  public synchronized void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
