package io.vigil.collector.stream;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.text.TerminalText;
import java.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and logs agent streams that ended with RESOURCE_EXHAUSTED: a message over {@code
 * ingest.max_message_bytes}, before or after decompression.
 *
 * <p>A stream tracer, because gRPC refuses a message whose frame header announces more than the
 * limit before any service code runs (it never reads the body); the tracer is the one place that
 * sees both that refusal and the ones the stream handler makes after inflating. It names the peer
 * address and, over mutual TLS, the subject of the client certificate. One line per second at most,
 * so that a flood of bombs cannot flood the log; the counter counts every one.
 */
final class OversizedMessageLog extends ServerStreamTracer.Factory {
  private static final Logger log = LoggerFactory.getLogger(OversizedMessageLog.class);
  private static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

  private final Counter oversized;
  private final AtomicLong lastLineNanos = new AtomicLong(System.nanoTime() - MIN_INTERVAL_NANOS);
  private final AtomicLong suppressed = new AtomicLong();

  OversizedMessageLog(MetricsRegistry metrics) {
    oversized =
        metrics.counter(
            "vigil_collector_messages_oversized_total",
            "Agent streams ended because a message was larger than ingest.max_message_bytes"
                + " (before or after decompression)");
  }

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    return new ServerStreamTracer() {
      private volatile ServerStreamTracer.ServerCallInfo<?, ?> info;

      @Override
      public void serverCallStarted(ServerStreamTracer.ServerCallInfo<?, ?> callInfo) {
        info = callInfo;
      }

      @Override
      public void streamClosed(Status status) {
        if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
          refused(info, status);
        }
      }
    };
  }

  private void refused(ServerStreamTracer.ServerCallInfo<?, ?> info, Status status) {
    oversized.inc();
    long now = System.nanoTime();
    long last = lastLineNanos.get();
    if (now - last < MIN_INTERVAL_NANOS || !lastLineNanos.compareAndSet(last, now)) {
      suppressed.incrementAndGet();
      return;
    }
    long more = suppressed.getAndSet(0);
    log.warn(
        "closed the stream from {}{} with RESOURCE_EXHAUSTED: {}{}",
        peer(info),
        certificateSubject(info),
        TerminalText.escape(String.valueOf(status.getDescription()), 300),
        more == 0 ? "" : " (" + more + " more since the last such line)");
  }

  private static String peer(ServerStreamTracer.ServerCallInfo<?, ?> info) {
    SocketAddress addr =
        info == null ? null : info.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    return addr == null ? "unknown peer" : addr.toString();
  }

  /** " (certificate CN=...)" over mutual TLS, else empty. */
  private static String certificateSubject(ServerStreamTracer.ServerCallInfo<?, ?> info) {
    X509Certificate[] chain = PeerCertificates.chain(info == null ? null : info.getAttributes());
    if (chain == null || chain.length == 0) {
      return ""; // no client certificate: the address is all there is
    }
    return " (certificate "
        + TerminalText.escape(chain[0].getSubjectX500Principal().getName(), 200)
        + ")";
  }
}
