package io.vigil.collector.sink;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * Puts alerts on one destination. Called from its sink's thread only (implementations need not be
 * thread-safe), which retries a failed call with backoff and the same alerts.
 */
public interface AlertSender extends Closeable {
  /**
   * Delivers the alerts, in order. Returns only when the destination has taken all of them (a TCP
   * or TLS stream written and flushed, a datagram sent, a webhook answered 2xx, a file line written
   * and forced to disk).
   *
   * @throws IOException when the destination did not take them all: the caller retries the whole
   *     list after a backoff, so the destination may see some of them twice
   */
  void send(List<SinkAlert> alerts) throws IOException;

  /** For logs and metrics labels, e.g. {@code syslog tcp 127.0.0.1:6514}; no secrets. */
  String describe();
}
