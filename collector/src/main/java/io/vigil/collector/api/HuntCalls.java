package io.vigil.collector.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.config.HuntSection;
import io.vigil.collector.hunt.HuntQuery;
import io.vigil.collector.hunt.Hunter;
import io.vigil.collector.store.EventScan;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.HuntReply;
import io.vigil.proto.v1.HuntRequest;
import io.vigil.proto.v1.HuntRow;
import io.vigil.proto.v1.HuntSummary;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Hunt}: validates the request, then runs the hunt on a thread of its own with a read-only
 * store connection of its own (so neither the gRPC executor nor ingest waits for it), streaming
 * rows as they are found and as the client is ready for them (manual flow control: a slow client
 * pauses the hunt, not a growing buffer), and a summary last. While it waits for the client the
 * hunt holds no read transaction ({@link EventScan} closes each chunk's statement before its rows
 * are sent), so the WAL can still be checkpointed. A client that reads nothing for {@link
 * HuntSection#idleTimeout()} has its hunt cancelled (DEADLINE_EXCEEDED); a hunt that runs for
 * {@link HuntSection#maxDuration()} ends with a summary saying so. At most {@link
 * HuntSection#maxConcurrent()} hunts run at once; one more is refused with RESOURCE_EXHAUSTED.
 * Thread-safe.
 */
final class HuntCalls implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HuntCalls.class);

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 10_000;
  static final long DEFAULT_SPAN_NS = 24 * 3_600_000_000_000L;
  static final int MAX_HOSTS = 64;

  private final Path database;
  private final AgentCalls agents;
  private final HuntSection limits;
  private final LongSupplier nowNs;
  private final Semaphore running;
  private final ExecutorService threads;

  HuntCalls(Path database, AgentCalls agents, HuntSection limits, LongSupplier nowNs) {
    this.database = database;
    this.agents = agents;
    this.limits = limits;
    this.nowNs = nowNs;
    this.running = new Semaphore(limits.maxConcurrent());
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "vigil-hunt");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts the hunt; a request that cannot run throws (INVALID_ARGUMENT, NOT_FOUND for an unknown
   * host, RESOURCE_EXHAUSTED when too many hunts run) before anything is sent.
   */
  void hunt(HuntRequest r, StreamObserver<HuntReply> o) {
    if (r.getQuery().isBlank()) {
      throw new IllegalArgumentException("query: give a query, e.g. kind = exec (docs/hunting.md)");
    }
    HuntQuery query = HuntQuery.parse(r.getQuery());
    // limit is a uint32: compared unsigned, so 2^31 and more is refused, not taken as negative.
    if (Integer.compareUnsigned(r.getLimit(), MAX_LIMIT) > 0) {
      throw new IllegalArgumentException(
          "limit: at most " + MAX_LIMIT + " rows, got " + Integer.toUnsignedString(r.getLimit()));
    }
    int limit = r.getLimit() == 0 ? DEFAULT_LIMIT : r.getLimit();
    long until = r.getUntilNs() == 0 ? nowNs.getAsLong() : r.getUntilNs();
    if (until < 0) {
      throw new IllegalArgumentException("until_ns: after the year 2262");
    }
    // Default: the day before until (not before the epoch), whenever until is.
    long since = r.getSinceNs() == 0 ? Math.max(0, until - DEFAULT_SPAN_NS) : r.getSinceNs();
    if (since < 0 || since > until) {
      throw new IllegalArgumentException("since_ns, until_ns: since is after until");
    }
    if (r.getHostsCount() > MAX_HOSTS) {
      throw new IllegalArgumentException("hosts: at most " + MAX_HOSTS);
    }
    List<AgentRecord> known = agents.agents();
    Map<String, String> hostnames = new HashMap<>();
    known.forEach(a -> hostnames.put(a.getAgentId(), a.getHostname()));
    Set<String> ids = new LinkedHashSet<>();
    for (String h : r.getHostsList()) {
      agents.resolveAll(h).forEach(a -> ids.add(a.getAgentId()));
    }
    if (!running.tryAcquire()) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription(
              limits.maxConcurrent()
                  + " hunts are running (operator.hunt.max_concurrent): try again when one ends")
          .asRuntimeException();
    }
    Hunter.Plan plan =
        new Hunter.Plan(
            query,
            since,
            until,
            limit,
            ids,
            limits.maxScannedEvents(),
            limits.maxDuration(),
            limits.maxArrivalDelay());
    ServerCallStreamObserver<HuntReply> out = (ServerCallStreamObserver<HuntReply>) o;
    Sender sender = new Sender(out, limits.idleTimeout().toNanos());
    out.setOnReadyHandler(sender::wake);
    out.setOnCancelHandler(sender::wake);
    try {
      threads.execute(() -> run(plan, hostnames, sender, out));
    } catch (RuntimeException e) {
      running.release();
      throw e;
    }
  }

  private void run(
      Hunter.Plan plan,
      Map<String, String> hostnames,
      Sender sender,
      ServerCallStreamObserver<HuntReply> out) {
    try (EventScan scan = EventScan.open(database)) {
      HuntSummary s = Hunter.run(scan, plan, hostnames, sender::send, out::isCancelled);
      if (sender.idle() && !out.isCancelled()) {
        log.warn(
            "hunt cancelled: the client read no row for {} (operator.hunt.idle_timeout)",
            limits.idleTimeout());
        out.onError(
            Status.DEADLINE_EXCEEDED
                .withDescription(
                    "hunt cancelled: the client read no row for "
                        + limits.idleTimeout().toSeconds()
                        + "s (operator.hunt.idle_timeout)")
                .asRuntimeException());
      } else if (!out.isCancelled()) {
        out.onNext(HuntReply.newBuilder().setSummary(s).build());
        out.onCompleted();
      }
    } catch (RuntimeException e) {
      Status s = OperatorService.status(e);
      log.error("hunt failed: {}", e.toString());
      if (!out.isCancelled()) {
        out.onError(s.asRuntimeException());
      }
    } finally {
      running.release();
    }
  }

  /**
   * Sends rows as the client is ready for them; the hunt thread waits otherwise, for the idle
   * timeout at most.
   */
  private static final class Sender {
    private final ServerCallStreamObserver<HuntReply> out;
    private final long idleTimeoutNs;
    private boolean idle;

    Sender(ServerCallStreamObserver<HuntReply> out, long idleTimeoutNs) {
      this.out = out;
      this.idleTimeoutNs = idleTimeoutNs;
    }

    /** The hunt stopped because the client read nothing for the idle timeout. */
    synchronized boolean idle() {
      return idle;
    }

    synchronized void wake() {
      notifyAll();
    }

    /**
     * Sends {@code row} once the client is ready; false when the call was cancelled or the client
     * was not ready for the idle timeout.
     */
    synchronized boolean send(HuntRow row) {
      long giveUp = System.nanoTime() + idleTimeoutNs;
      try {
        while (!out.isReady() && !out.isCancelled()) {
          long left = giveUp - System.nanoTime();
          if (left <= 0) {
            idle = true;
            return false;
          }
          // Bounded wait: a missed ready signal costs a second, never the hunt.
          wait(Math.max(1, Math.min(1000, left / 1_000_000)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (out.isCancelled()) {
        return false;
      }
      out.onNext(HuntReply.newBuilder().setRow(row).build());
      return true;
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
