package io.vigil.agent.ship;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The collector addresses and port pinned while the host is isolated: isolation allows only these,
 * and DNS may be cut, so every connection (the stream's reconnects, probes, uploads) goes to one of
 * them instead of resolving the collector's name again. Address and port are pinned together: the
 * isolation lets through one port, so a changed enrolled address or port must not move the agent's
 * connections elsewhere while isolated. Empty when not pinned. Thread-safe.
 */
public final class CollectorPin {
  /** The addresses and port, replaced as a whole so that readers never mix two pins. */
  private record Pinned(List<InetAddress> addresses, int port) {}

  private static final Pinned NONE = new Pinned(List.of(), 0);

  private volatile Pinned pinned = NONE;
  private int next;

  /**
   * Pins these addresses (at least one) and this TCP port.
   *
   * @throws IllegalArgumentException when {@code addresses} is empty or {@code port} is not 1-65535
   */
  public void pin(List<InetAddress> addresses, int port) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("addresses: pinning needs at least one collector address");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " is not 1-65535");
    }
    pinned = new Pinned(List.copyOf(addresses), port);
  }

  /** Back to resolving the collector's name at every connection. */
  public void unpin() {
    pinned = NONE;
  }

  /** The pinned addresses; empty when not pinned. */
  public List<InetAddress> addresses() {
    return pinned.addresses();
  }

  /** The pinned port; 0 when not pinned. */
  public int port() {
    return pinned.port();
  }

  /**
   * The address and port for the next connection, rotating through the pinned addresses; null when
   * unpinned.
   */
  synchronized InetSocketAddress nextTarget() {
    Pinned p = pinned;
    if (p.addresses().isEmpty()) {
      return null;
    }
    next = (next + 1) % p.addresses().size();
    return new InetSocketAddress(p.addresses().get(next), p.port());
  }
}
