package io.vigil.collector.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.collector.store.AgentHealthRow;
import io.vigil.proto.v1.AgentHealth;
import io.vigil.proto.v1.Event;

/** The stored health columns of an agent as the operator API's {@code AgentHealth}. Stateless. */
final class AgentHealthView {
  private AgentHealthView() {}

  /** Problems are left to the caller; {@code row} null (never streamed): an empty health. */
  static AgentHealth of(AgentHealthRow row) {
    if (row == null) {
      return AgentHealth.getDefaultInstance();
    }
    AgentHealth.Builder b =
        AgentHealth.newBuilder()
            .setStatusTimeNs(row.lastStatusNs())
            .setStreamEpoch(row.currentEpoch())
            .setSpooledSeq(row.spooledSeq())
            .setStoredSeq(row.storedSeq())
            .setClockSkewNs(row.clockSkewNs())
            .setSilentSinceNs(row.silentSinceNs());
    if (row.lastStatus() != null) {
      try {
        Event e = Event.parseFrom(row.lastStatus());
        b.setStatus(e.getAgentStatus());
      } catch (InvalidProtocolBufferException e) {
        // Stored after it parsed at ingest; a damaged row only loses the status, not the agent.
      }
    }
    return b.build();
  }
}
