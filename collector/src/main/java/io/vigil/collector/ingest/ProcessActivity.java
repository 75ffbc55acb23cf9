package io.vigil.collector.ingest;

import io.vigil.collector.store.ProcessWrites;
import java.util.HashSet;
import java.util.Set;

/**
 * The processes that acted since the last flush, written to processes.last_event_ns in the writer's
 * transaction at most every {@link #FLUSH_INTERVAL_NS} of receive time (or once {@link
 * #MAX_PENDING} processes are pending), so retention keeps the rows of processes still acting
 * without an index on events.entity_id and without a write per event. The time written is the
 * newest receive time seen, so a row may look up to one interval more recent than its last event;
 * retention only keeps more for it.
 *
 * <p>Pending entries are cleared only once the transaction that wrote them committed: after a
 * rollback they are written again at the next flush (entries of rolled-back events too, which only
 * keeps a row longer). Writer thread only.
 */
final class ProcessActivity {
  /** Receive time between flushes. */
  static final long FLUSH_INTERVAL_NS = 10_000_000_000L;

  /** Processes pending at most; reaching it flushes whatever the time (bounds the memory). */
  static final int MAX_PENDING = 20_000;

  private record Key(String agentId, String entityId) {}

  private final Set<Key> pending = new HashSet<>();
  private long newestNs = Long.MIN_VALUE;
  private long flushedNs = Long.MIN_VALUE;
  private boolean written;

  /**
   * Notes an event of agent {@code agentId}'s process {@code entityId} received at {@code nowNs}.
   */
  void saw(String agentId, String entityId, long nowNs) {
    pending.add(new Key(agentId, entityId));
    newestNs = Math.max(newestNs, nowNs);
  }

  /** Before the commit: writes the pending processes if the interval passed or too many wait. */
  void beforeCommit(ProcessWrites processes) {
    written = false;
    if (pending.isEmpty()) {
      return;
    }
    boolean due =
        flushedNs == Long.MIN_VALUE
            || newestNs - flushedNs >= FLUSH_INTERVAL_NS
            || pending.size() >= MAX_PENDING;
    if (!due) {
      return;
    }
    for (Key k : pending) {
      processes.markActive(k.agentId(), k.entityId(), newestNs);
    }
    written = true;
  }

  /** After the commit: what was written is done. */
  void committed() {
    if (written) {
      pending.clear();
      flushedNs = newestNs;
      written = false;
    }
  }

  /** After a rollback: what was written is not; it stays pending. */
  void afterRollback() {
    written = false;
  }
}
