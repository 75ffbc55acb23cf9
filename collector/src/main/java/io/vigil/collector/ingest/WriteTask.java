package io.vigil.collector.ingest;

import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.NewAlert;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.EventBatch;
import io.vigil.proto.v1.Hello;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Work queued for the ingest writer thread; each completes its future after its commit. */
sealed interface WriteTask {
  void fail(Throwable cause);

  /** Events this task adds to a group commit (at least 1). */
  default int events() {
    return 1;
  }

  /** Bytes this task holds in memory until its commit. */
  default long bytes() {
    return 0;
  }

  /** Whether it counts against {@link IngestOptions#maxQueuedBatches}. */
  default boolean bounded() {
    return false;
  }

  record OpenStream(StreamKey key, Hello hello, long receiveTimeNs, CompletableFuture<Long> future)
      implements WriteTask {
    @Override
    public void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }

    /** Bounded: a Hello can carry up to 64 KiB, and streams can be opened in a loop. */
    @Override
    public boolean bounded() {
      return true;
    }
  }

  /**
   * @param checks {@code checks[i]} is the outcome of {@code batch.events[i]}, decided before
   *     queueing (see {@link EventCheck})
   */
  record Batch(
      StreamKey key,
      EventBatch batch,
      EventCheck.Outcome[] checks,
      long receiveTimeNs,
      CompletableFuture<Long> future)
      implements WriteTask {
    @Override
    public void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }

    @Override
    public int events() {
      return Math.max(1, batch.getEventsCount());
    }

    @Override
    public long bytes() {
      return batch.getSerializedSize();
    }

    @Override
    public boolean bounded() {
      return true;
    }
  }

  record CommandResults(
      String agentId,
      List<CommandResult> results,
      long receiveTimeNs,
      CompletableFuture<List<String>> future)
      implements WriteTask {
    @Override
    public void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }

    @Override
    public int events() {
      return Math.max(1, results.size());
    }

    /**
     * Not bounded by the batch queue: a results message must never be refused because telemetry
     * backlogs fill the queue (that would end the stream of an agent reporting an isolation). Each
     * stream has at most its flow-control window of messages unprocessed, each of at most the
     * collector's results-per-message limit, so results cannot pile up without bound.
     */
    @Override
    public boolean bounded() {
      return false;
    }
  }

  record ContinuityCheck(CompletableFuture<Integer> future) implements WriteTask {
    @Override
    public void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }
  }

  /**
   * An alert about the collector itself (its storage nearly full), raised like the health alerts:
   * through the alert stage on the collector's pseudo stream. Completes with the alert's id.
   */
  record CollectorAlert(NewAlert alert, CompletableFuture<Long> future) implements WriteTask {
    @Override
    public void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }
  }

  /** Looks for silent agents now (the writer also does so every {@code health.check_interval}). */
  record SilenceCheck(CompletableFuture<Integer> future) implements WriteTask {
    @Override
    public void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }
  }

  /**
   * Store maintenance (retention's deletes) run by the writer in a transaction of its own, so that
   * it never races the writer for the lock and a failure fails no batch.
   */
  record Maintenance<T>(Function<EventStore, T> work, CompletableFuture<T> future)
      implements WriteTask {
    @Override
    public void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }

    /** Runs the work in the open transaction; the returned completion runs after commit. */
    Runnable apply(EventStore store) {
      T result = work.apply(store);
      return () -> future.complete(result);
    }
  }

  /** Queued last by {@link IngestService#close()}: everything before it is done. */
  record Stop() implements WriteTask {
    @Override
    public void fail(Throwable cause) {}
  }
}
