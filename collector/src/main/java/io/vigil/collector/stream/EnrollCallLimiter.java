package io.vigil.collector.stream;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.vigil.common.metrics.Counter;
import io.vigil.common.metrics.MetricsRegistry;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds the Enroll calls in progress, collector-wide, and how long each may take.
 *
 * <p>Enroll needs no client certificate, so anyone who reaches the port can call it. A unary call
 * keeps its parsed request (up to {@code ingest.max_message_bytes}) until the client half-closes,
 * and the size checks and the attempt limiter run only once it has: without a bound, a few hundred
 * calls that never half-close hold gigabytes. So a call past {@code maxConcurrent} is refused with
 * RESOURCE_EXHAUSTED when it starts, before any message is requested (its bytes stay in the HTTP/2
 * flow-control window and are dropped with the call), and an admitted call is closed with
 * DEADLINE_EXCEEDED after {@code timeout} (a scheduled task, no thread waits). An honest agent
 * enrols in one short call and retries a refusal with backoff.
 *
 * <p>The slot is given back when gRPC reports the call over (complete or cancelled), which is after
 * the service method returned: a slot therefore bounds the requests held in memory. Thread-safe;
 * {@link #close} stops the timer thread.
 */
final class EnrollCallLimiter implements ServerInterceptor, AutoCloseable {
  /** Enroll calls in progress at once, collector-wide. */
  static final int DEFAULT_MAX_CONCURRENT = 16;

  /** How long an Enroll call may take from its start to its close. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private final Semaphore slots;
  private final int maxConcurrent;
  private final long timeoutNanos;
  private final ScheduledThreadPoolExecutor timer;
  private final Counter refused;
  private final Counter timedOut;

  EnrollCallLimiter(int maxConcurrent, Duration timeout, MetricsRegistry metrics) {
    if (maxConcurrent < 1 || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("maxConcurrent and timeout must be positive");
    }
    this.maxConcurrent = maxConcurrent;
    this.slots = new Semaphore(maxConcurrent);
    this.timeoutNanos = timeout.toNanos();
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "enroll-call-timeout");
              t.setDaemon(true);
              return t;
            });
    // Most calls finish long before their timeout: drop their cancelled tasks at once.
    timer.setRemoveOnCancelPolicy(true);
    this.refused =
        metrics.counter(
            "vigil_collector_enroll_calls_refused_total",
            "Enroll calls refused at their start because too many were in progress");
    this.timedOut =
        metrics.counter(
            "vigil_collector_enroll_calls_timed_out_total",
            "Enroll calls closed with DEADLINE_EXCEEDED because they did not complete in time");
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!slots.tryAcquire()) {
      refused.inc();
      call.close(
          Status.RESOURCE_EXHAUSTED.withDescription(
              maxConcurrent + " enrolments already in progress on this collector; retry later"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    AtomicBoolean released = new AtomicBoolean();
    Guarded<Q, R> guarded = new Guarded<>(call);
    ScheduledFuture<?> deadline;
    ServerCall.Listener<Q> listener;
    try {
      deadline = timer.schedule(guarded::timeOut, timeoutNanos, TimeUnit.NANOSECONDS);
      guarded.deadline = deadline;
      listener = next.startCall(guarded, headers);
    } catch (RuntimeException e) {
      slots.release();
      throw e;
    }
    Runnable over =
        () -> {
          if (released.compareAndSet(false, true)) {
            deadline.cancel(false);
            slots.release();
          }
        };
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(Q message) {
        if (!guarded.isClosed()) {
          super.onMessage(message);
        }
      }

      @Override
      public void onHalfClose() {
        if (!guarded.isClosed()) {
          super.onHalfClose();
        }
      }

      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          over.run();
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          over.run();
        }
      }
    };
  }

  private String timeoutText() {
    long ms = TimeUnit.NANOSECONDS.toMillis(timeoutNanos);
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /**
   * The call, with its methods serialized so that the timer thread can close it while the service
   * is still using it (a {@link ServerCall} is not thread-safe); whatever the service does after
   * the close is dropped.
   */
  private final class Guarded<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private boolean closed;
    volatile ScheduledFuture<?> deadline;

    Guarded(ServerCall<Q, R> call) {
      super(call);
    }

    synchronized boolean isClosed() {
      return closed;
    }

    synchronized void timeOut() {
      if (closed) {
        return;
      }
      closed = true;
      timedOut.inc();
      super.close(
          Status.DEADLINE_EXCEEDED.withDescription(
              "enrolment did not complete within " + timeoutText()),
          new Metadata());
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closed) {
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closed) {
        super.sendMessage(message);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (closed) {
        return;
      }
      closed = true;
      ScheduledFuture<?> d = deadline;
      if (d != null) {
        d.cancel(false);
      }
      super.close(status, trailers);
    }

    @Override
    public synchronized void request(int numMessages) {
      if (!closed) {
        super.request(numMessages);
      }
    }
  }
}
