package io.vigil.agent.response.network;

import java.time.Duration;

/**
 * Proves that the collector answers over a fresh connection (not the running stream, which
 * isolation lets pass whatever happens to new connections).
 */
public interface CollectorProbe {
  /**
   * One round trip, within {@code timeout}.
   *
   * @throws Exception when it did not answer, answered wrongly or the connection failed
   */
  void probe(Duration timeout) throws Exception;
}
