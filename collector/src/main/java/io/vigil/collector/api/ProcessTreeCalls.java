package io.vigil.collector.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.vigil.collector.store.ProcessTreeReader;
import io.vigil.collector.store.StoredTree;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.ProcessTreeReply;
import io.vigil.proto.v1.ProcessTreeRequest;
import io.vigil.proto.v1.TreeEvent;
import io.vigil.proto.v1.TreeProcess;

/**
 * ProcessTree: the host resolved as SendCommand resolves it ({@link AgentCalls#resolve}), then the
 * tree read through the API's own {@link ProcessTreeReader}. Bounds: {@code max_events} 0 means
 * {@value #DEFAULT_EVENTS}, at most {@link ProcessTreeReader#MAX_EVENTS}; {@code max_depth} 0 means
 * {@value #DEFAULT_DEPTH}, at most {@link ProcessTreeReader#MAX_DEPTH}. Thread-safe; blocks on the
 * store.
 */
final class ProcessTreeCalls {
  /** Events returned when the request says 0. */
  static final int DEFAULT_EVENTS = 1000;

  /** Generations of descendants followed when the request says 0. */
  static final int DEFAULT_DEPTH = 8;

  /**
   * Bytes of a reply at most: gRPC clients refuse messages over 4 MiB by default, and 20000 events
   * can be more. Events past it are left out and the reply says truncated.
   */
  static final int MAX_REPLY_BYTES = 3 << 20;

  /** Longest entity id accepted (the agent's are 64 hex digits). */
  private static final int MAX_ENTITY_CHARS = 128;

  private final AgentCalls agents;
  private final ProcessTreeReader reader;

  ProcessTreeCalls(AgentCalls agents, ProcessTreeReader reader) {
    this.agents = agents;
    this.reader = reader;
  }

  ProcessTreeReply tree(ProcessTreeRequest r) {
    String entity = r.getEntityId();
    if (entity.isBlank()) {
      throw new IllegalArgumentException(
          "entity_id: give the process's entity id (as alerts and events show it)");
    }
    if (entity.length() > MAX_ENTITY_CHARS) {
      throw new IllegalArgumentException("entity_id: at most " + MAX_ENTITY_CHARS + " characters");
    }
    int maxEvents =
        bounded("max_events", r.getMaxEvents(), DEFAULT_EVENTS, ProcessTreeReader.MAX_EVENTS);
    int maxDepth =
        bounded("max_depth", r.getMaxDepth(), DEFAULT_DEPTH, ProcessTreeReader.MAX_DEPTH);
    AgentRecord agent = agents.resolve(r.getHost());
    StoredTree tree =
        reader
            .read(agent.getAgentId(), entity, maxEvents, maxDepth)
            .orElseThrow(
                () ->
                    Status.NOT_FOUND
                        .withDescription(
                            "no process with entity id \""
                                + entity
                                + "\" on host "
                                + (agent.getHostname().isEmpty()
                                    ? agent.getAgentId()
                                    : agent.getHostname() + " (agent " + agent.getAgentId() + ")")
                                + " in the collector's process table (its exec was not seen)")
                        .asRuntimeException());
    ProcessTreeReply.Builder b =
        ProcessTreeReply.newBuilder()
            .setAgentId(agent.getAgentId())
            .setHostname(agent.getHostname())
            .setTruncated(tree.truncated());
    for (StoredTree.Process p : tree.processes()) {
      b.addProcesses(
          TreeProcess.newBuilder()
              .setEntityId(p.entityId())
              .setParentEntityId(p.parentEntityId())
              .setPid((int) p.pid())
              .setParentPid((int) p.parentPid())
              .setImage(p.image())
              .setCommandLine(p.commandLine())
              .setUser(p.user())
              .setExecTimeNs(p.execTimeNs())
              .setRelation(p.relation().label())
              .setDepth(p.depth()));
    }
    long bytes = b.build().getSerializedSize();
    for (StoredTree.Event e : tree.events()) {
      if (bytes + e.payload().length > MAX_REPLY_BYTES) {
        b.setTruncated(true); // the rest would not fit a reply vigilctl accepts
        break;
      }
      Event event;
      try {
        event = Event.parseFrom(e.payload());
      } catch (InvalidProtocolBufferException x) {
        // Stored events were parsed at ingest; a row that no longer does is left out, and said.
        b.setTruncated(true);
        continue;
      }
      TreeEvent t =
          TreeEvent.newBuilder()
              .setEntityId(e.entityId())
              .setEvent(event.toBuilder().setReceiveTimeNs(e.receiveTimeNs()))
              .build();
      bytes += t.getSerializedSize() + 8;
      b.addEvents(t);
    }
    return b.build();
  }

  private static int bounded(String name, int value, int def, int max) {
    long v = Integer.toUnsignedLong(value);
    if (v > max) {
      throw new IllegalArgumentException(name + ": at most " + max + ", got " + v);
    }
    return v == 0 ? def : (int) v;
  }
}
