package io.vigil.collector.stream;

import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a failed TLS handshake on the agent port (garbage bytes, a port scanner, an agent that does
 * not trust this collector's certificate) into a counter and one clear log line.
 *
 * <p>gRPC closes such connections before any call exists, so no service code sees them; its only
 * trace is a debug record of {@code ProtocolNegotiators} ("TLS negotiation failed for new client"),
 * which this handler listens for. A test on garbage bytes guards against gRPC changing that record.
 * Lines are rate-limited so that a scan cannot flood the log; the counter counts every failure.
 */
final class HandshakeFailureLog extends Handler {
  private static final Logger log = LoggerFactory.getLogger(HandshakeFailureLog.class);
  private static final String GRPC_LOGGER =
      "io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiators";
  private static final long MIN_INTERVAL_NANOS = 10_000_000_000L;

  /**
   * Strong reference: java.util.logging holds loggers weakly, and a collected logger would lose the
   * level and handler set here.
   */
  private static java.util.logging.Logger grpcLogger;

  private final Counter failures;
  private final AtomicLong lastLineNanos = new AtomicLong(System.nanoTime() - MIN_INTERVAL_NANOS);
  private final AtomicLong suppressed = new AtomicLong();

  private HandshakeFailureLog(MetricsRegistry metrics) {
    failures =
        metrics.counter(
            "vigil_collector_tls_handshake_failures_total",
            "Connections to the agent port closed because the TLS handshake failed");
  }

  /** Installs the handler once per process. */
  static synchronized void install(MetricsRegistry metrics) {
    if (grpcLogger != null) {
      return;
    }
    grpcLogger = java.util.logging.Logger.getLogger(GRPC_LOGGER);
    grpcLogger.setLevel(Level.ALL);
    grpcLogger.setUseParentHandlers(false); // its other records are gRPC internals
    grpcLogger.addHandler(new HandshakeFailureLog(metrics));
  }

  @Override
  public void publish(LogRecord record) {
    String msg = record.getMessage();
    if (msg == null || !msg.startsWith("TLS negotiation failed")) {
      return;
    }
    failures.inc();
    long now = System.nanoTime();
    long last = lastLineNanos.get();
    if (now - last < MIN_INTERVAL_NANOS || !lastLineNanos.compareAndSet(last, now)) {
      suppressed.incrementAndGet();
      return;
    }
    long more = suppressed.getAndSet(0);
    log.warn(
        "TLS handshake failed on the agent port: a client that is not a Vigil agent, or an agent"
            + " that does not trust this collector's CA{}",
        more == 0 ? "" : " (" + more + " more since the last such line)");
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
