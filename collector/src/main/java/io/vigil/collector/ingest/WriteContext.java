package io.vigil.collector.ingest;

import io.vigil.collector.output.RaisedAlert;
import io.vigil.proto.v1.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * What one group commit must do once it has committed: counters, log lines, outputs and the futures
 * of its tasks. Nothing here runs if the transaction rolls back. Writer thread only.
 */
final class WriteContext {
  /** An event stored in this transaction, for the outputs. */
  record StoredEvent(StreamKey key, long seq, Event event, long receiveTimeNs) {}

  final List<Runnable> afterCommit = new ArrayList<>();
  final List<StoredEvent> stored = new ArrayList<>();

  /** Alerts raised in this transaction, for the alert outputs. */
  final List<RaisedAlert> raised = new ArrayList<>();

  boolean holesChanged;
}
