package io.vigil.agent.pipeline;

import io.vigil.agent.spool.LossTally;
import io.vigil.proto.v1.Event;

/**
 * Events dropped at the full queue since the writer last looked, for the next {@code Gap}.
 * Thread-safe: sensor threads add, the writer takes. Contended only while the queue is full.
 */
final class DropTally {
  private LossTally tally = new LossTally();

  synchronized void add(Event.Builder event) {
    tally.add(0, LossTally.kindOf(event), event.getEventTimeNs());
  }

  /** Returns what was collected and starts a new tally. */
  synchronized LossTally take() {
    LossTally taken = tally;
    tally = new LossTally();
    return taken;
  }
}
