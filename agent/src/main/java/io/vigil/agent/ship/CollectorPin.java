package io.vigil.agent.ship;

import java.net.InetAddress;
import java.util.List;

/**
 * The collector addresses pinned while the host is isolated: isolation allows only these, and DNS
 * may be cut, so every connection (the stream's reconnects, probes, uploads) goes to one of them
 * instead of resolving the collector's name again. Empty when not pinned. Thread-safe.
 */
public final class CollectorPin {
  private volatile List<InetAddress> addresses = List.of();
  private int next;

  /** Pins these addresses (at least one). */
  public void pin(List<InetAddress> pinned) {
    if (pinned.isEmpty()) {
      throw new IllegalArgumentException("pinning needs at least one collector address");
    }
    addresses = List.copyOf(pinned);
  }

  /** Back to resolving the collector's name at every connection. */
  public void unpin() {
    addresses = List.of();
  }

  /** The pinned addresses; empty when not pinned. */
  public List<InetAddress> addresses() {
    return addresses;
  }

  /** The address for the next connection, rotating through the pinned ones; null when unpinned. */
  synchronized InetAddress nextAddress() {
    List<InetAddress> a = addresses;
    if (a.isEmpty()) {
      return null;
    }
    next = (next + 1) % a.size();
    return a.get(next);
  }
}
