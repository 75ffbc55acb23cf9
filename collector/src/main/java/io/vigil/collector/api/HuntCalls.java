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
 * holds the scan, not a growing buffer), and a summary last. At most {@link
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
    if (r.getLimit() > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit: at most " + MAX_LIMIT + " rows, got " + Integer.toUnsignedString(r.getLimit()));
    }
    int limit = r.getLimit() == 0 ? DEFAULT_LIMIT : r.getLimit();
    long until = r.getUntilNs() == 0 ? nowNs.getAsLong() : r.getUntilNs();
    long since = r.getSinceNs() == 0 ? until - DEFAULT_SPAN_NS : r.getSinceNs();
    if (until < 0 || since < 0 || since > until) {
      throw new IllegalArgumentException("since_ns, until_ns: since is after until");
    }
    if (r.getHostsCount() > MAX_HOSTS) {
      throw new IllegalArgumentException("hosts: at most " + MAX_HOSTS);
    }
    List<AgentRecord> known = agents.agents();
    Map<String, String> hostnames = new HashMap<>();
    known.forEach(a -> hostnames.put(a.getAgentId(), a.getHostname()));
    Set<String> ids = resolve(r.getHostsList(), known);
    if (!running.tryAcquire()) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription(
              limits.maxConcurrent()
                  + " hunts are running (operator.hunt.max_concurrent): try again when one ends")
          .asRuntimeException();
    }
    Hunter.Plan plan = new Hunter.Plan(query, since, until, limit, ids, limits.maxScannedEvents());
    ServerCallStreamObserver<HuntReply> out = (ServerCallStreamObserver<HuntReply>) o;
    Sender sender = new Sender(out);
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
      if (!out.isCancelled()) {
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

  /** Agent ids of the hosts asked for: each an agent id, or a host name (every agent with it). */
  private static Set<String> resolve(List<String> hosts, List<AgentRecord> known) {
    Set<String> ids = new LinkedHashSet<>();
    for (String h : hosts) {
      boolean found = false;
      for (AgentRecord a : known) {
        if (a.getAgentId().equals(h) || a.getHostname().equalsIgnoreCase(h)) {
          ids.add(a.getAgentId());
          found = true;
        }
      }
      if (!found) {
        throw Status.NOT_FOUND
            .withDescription("hosts: no agent with host name or agent id \"" + h + "\"")
            .asRuntimeException();
      }
    }
    return ids;
  }

  /** Sends rows as the client is ready for them; the hunt thread waits otherwise. */
  private static final class Sender {
    private final ServerCallStreamObserver<HuntReply> out;

    Sender(ServerCallStreamObserver<HuntReply> out) {
      this.out = out;
    }

    synchronized void wake() {
      notifyAll();
    }

    /** Sends {@code row} once the client is ready; false when the call was cancelled. */
    synchronized boolean send(HuntRow row) {
      try {
        while (!out.isReady() && !out.isCancelled()) {
          // Bounded wait: a missed ready signal costs a second, never the hunt.
          wait(1000);
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
