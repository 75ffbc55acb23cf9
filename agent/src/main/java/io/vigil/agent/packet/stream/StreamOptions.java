package io.vigil.agent.packet.stream;

import java.time.Duration;

/**
 * Bounds and timeouts of TCP reassembly.
 *
 * @param maxBufferedPerDirection bytes (charged as {@link ReassemblyBudget} charges them) one
 *     direction may hold out of order before it skips its first hole
 * @param depth bytes of each direction delivered at most, counted from the stream's start (gaps
 *     included); the analyzers need handshakes and headers, not whole transfers
 * @param maxConnections connections held; a new one beyond it evicts the one idle the longest
 * @param idleTimeout a connection without a packet this long (packet time) ends
 * @param closedLinger how long a connection whose both FINs were seen waits for the holes before
 *     them, and how long an ended connection (FIN, RST) is remembered so that its stray late
 *     packets do not start a new, mid-stream one
 * @param emptyIdleTimeout a connection that has carried no payload yet (a handshake, a scan probe,
 *     a lone ACK or RST) ends after this long without a packet; such connections are also evicted
 *     first from a full table, so that a SYN scan cannot push out connections that carry data. At
 *     most {@link #idleTimeout} (a longer value is taken as it)
 */
public record StreamOptions(
    int maxBufferedPerDirection,
    long depth,
    int maxConnections,
    Duration idleTimeout,
    Duration closedLinger,
    Duration emptyIdleTimeout) {

  /** The default {@link #emptyIdleTimeout}: 30 s, a handshake's retries and more. */
  public static final Duration DEFAULT_EMPTY_IDLE_TIMEOUT = Duration.ofSeconds(30);

  public StreamOptions {
    if (maxBufferedPerDirection < 0) {
      throw new IllegalArgumentException(
          "maxBufferedPerDirection must be >= 0: " + maxBufferedPerDirection);
    }
    if (depth < 0) {
      throw new IllegalArgumentException("depth must be >= 0: " + depth);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be >= 1: " + maxConnections);
    }
    positive("idleTimeout", idleTimeout);
    positive("closedLinger", closedLinger);
    positive("emptyIdleTimeout", emptyIdleTimeout);
    if (emptyIdleTimeout.compareTo(idleTimeout) > 0) {
      emptyIdleTimeout = idleTimeout;
    }
  }

  /** Options with the default {@link #emptyIdleTimeout} (or {@code idleTimeout} if shorter). */
  public StreamOptions(
      int maxBufferedPerDirection,
      long depth,
      int maxConnections,
      Duration idleTimeout,
      Duration closedLinger) {
    this(
        maxBufferedPerDirection,
        depth,
        maxConnections,
        idleTimeout,
        closedLinger,
        idleTimeout == null || DEFAULT_EMPTY_IDLE_TIMEOUT.compareTo(idleTimeout) <= 0
            ? DEFAULT_EMPTY_IDLE_TIMEOUT
            : idleTimeout);
  }

  /**
   * 256 KiB out of order per direction, depth 1 MiB, 65,536 connections, idle 300 s and closed
   * linger 5 s (the flow table's TCP timeouts), idle 30 s for connections without payload.
   */
  public static StreamOptions defaults() {
    return new StreamOptions(
        256 * 1024, 1 << 20, 65_536, Duration.ofSeconds(300), Duration.ofSeconds(5));
  }

  public StreamOptions withDepth(long d) {
    return new StreamOptions(
        maxBufferedPerDirection, d, maxConnections, idleTimeout, closedLinger, emptyIdleTimeout);
  }

  public StreamOptions withMaxBufferedPerDirection(int n) {
    return new StreamOptions(n, depth, maxConnections, idleTimeout, closedLinger, emptyIdleTimeout);
  }

  public StreamOptions withMaxConnections(int n) {
    return new StreamOptions(
        maxBufferedPerDirection, depth, n, idleTimeout, closedLinger, emptyIdleTimeout);
  }

  public StreamOptions withEmptyIdleTimeout(Duration d) {
    return new StreamOptions(
        maxBufferedPerDirection, depth, maxConnections, idleTimeout, closedLinger, d);
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(365)) > 0) {
      throw new IllegalArgumentException(
          name + " must be a positive duration up to 365 days: " + d);
    }
  }
}
