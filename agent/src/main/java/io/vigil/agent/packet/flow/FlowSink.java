package io.vigil.agent.packet.flow;

/**
 * Receives ended flows (and parts of long flows) from a {@link FlowTable}, on the thread that
 * called the table. It must not call back into the table.
 */
@FunctionalInterface
public interface FlowSink {
  void flow(FlowRecord r);
}
