package io.vigil.agent.pipeline;

import io.vigil.agent.spool.EventBody;
import io.vigil.agent.spool.LossTally;
import io.vigil.proto.v1.Event;

/**
 * Events dropped for one reason since the writer last looked, for the next {@code Gap}.
 * Thread-safe: sensor threads add, the writer takes. Contended only while events are dropped.
 */
final class DropTally {
  private LossTally tally = new LossTally();

  synchronized void add(Event.Builder event) {
    tally.add(0, LossTally.kindOf(event), event.getEventTimeNs());
  }

  synchronized void add(EventBody event) {
    tally.add(0, LossTally.kindOf(event.kind()), event.eventTimeNs());
  }

  /** Returns what was collected and starts a new tally. */
  synchronized LossTally take() {
    LossTally taken = tally;
    tally = new LossTally();
    return taken;
  }
}
