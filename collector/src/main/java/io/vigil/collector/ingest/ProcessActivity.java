package io.vigil.collector.ingest;

import io.vigil.collector.store.ProcessWrites;
import java.util.HashMap;
import java.util.Map;

/**
 * The processes that acted since the last flush, written to processes.last_event_ns in the writer's
 * transaction at most every {@link #FLUSH_INTERVAL_NANOS} of real time (or once {@link
 * #MAX_PENDING} processes are pending, and before every maintenance task, so that retention decides
 * on current values), so retention keeps the rows of processes still acting without an index on
 * events.entity_id and without a write per event. The time written is the receive time of the
 * process's newest event since the last flush.
 *
 * <p>Pending entries are cleared only once the transaction that wrote them committed: after a
 * rollback they are written again at the next flush (entries of rolled-back events too, which only
 * keeps a row longer). What is pending when the collector stops is lost (at most one interval).
 * Writer thread only.
 */
final class ProcessActivity {
  /** Real time between flushes (monotonic clock). */
  static final long FLUSH_INTERVAL_NANOS = 10_000_000_000L;

  /** Processes pending at most; reaching it flushes whatever the time (bounds the memory). */
  static final int MAX_PENDING = 20_000;

  private record Key(String agentId, String entityId) {}

  // Each pending process with the newest receive time of its events.
  private final Map<Key, Long> pending = new HashMap<>();
  private long flushedAt = System.nanoTime();
  private boolean written;

  /**
   * Notes an event of agent {@code agentId}'s process {@code entityId} received at {@code nowNs}.
   */
  void saw(String agentId, String entityId, long nowNs) {
    pending.merge(new Key(agentId, entityId), nowNs, Math::max);
  }

  /** Before the commit: writes the pending processes if the interval passed or too many wait. */
  void beforeCommit(ProcessWrites processes) {
    if (pending.size() >= MAX_PENDING || System.nanoTime() - flushedAt >= FLUSH_INTERVAL_NANOS) {
      flush(processes);
    }
  }

  /** Writes the pending processes now, in the current transaction (before a maintenance task). */
  void flush(ProcessWrites processes) {
    if (written || pending.isEmpty()) {
      return;
    }
    for (Map.Entry<Key, Long> e : pending.entrySet()) {
      processes.markActive(e.getKey().agentId(), e.getKey().entityId(), e.getValue());
    }
    written = true;
  }

  /** After the commit: what was written is done. */
  void committed() {
    if (written) {
      pending.clear();
      flushedAt = System.nanoTime();
      written = false;
    }
  }

  /** After a rollback: what was written is not; it stays pending. */
  void afterRollback() {
    written = false;
  }
}
