package io.vigil.collector.api;

import io.grpc.Status;
import io.vigil.collector.health.HealthProblems;
import io.vigil.collector.store.AgentHealthRow;
import io.vigil.collector.store.AgentRow;
import io.vigil.collector.store.CommandStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.collector.stream.ConnectedAgents;
import io.vigil.collector.trust.TrustAdmin;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.ListAgentsReply;
import io.vigil.proto.v1.ListAgentsRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * ListAgents, and finding the agent (or, for hunts, the agents) a host name or agent id means: the
 * agents table (every agent that ever streamed) merged with the enrolled agents of {@link
 * TrustAdmin} and the connected ones. An agent's {@code hostname} is the one it enrolled with; what
 * its latest Hello reports is {@code reported_hostname}. A host name resolves by the enrolled name,
 * which the agent cannot change afterwards: an enrolled agent that reports another host's name in
 * its Hello does not capture that host's commands. Thread-safe; blocks on the store.
 */
final class AgentCalls {
  private final StoreReader reader;
  private final TrustAdmin trust;
  private final ConnectedAgents connected;
  private final CommandStore commands;
  private final long maxClockSkewNs;
  private final LongSupplier nowNs;

  /**
   * @param maxClockSkew {@code health.max_clock_skew}: a larger skew is one of an agent's problems
   */
  AgentCalls(
      StoreReader reader,
      TrustAdmin trust,
      ConnectedAgents connected,
      CommandStore commands,
      Duration maxClockSkew,
      LongSupplier nowNs) {
    this.reader = reader;
    this.trust = trust;
    this.connected = connected;
    this.commands = commands;
    this.maxClockSkewNs = maxClockSkew.toNanos();
    this.nowNs = nowNs;
  }

  /** Every agent the collector knows, by host name then agent id. */
  List<AgentRecord> agents() {
    Map<String, AgentRecord.Builder> byId = new LinkedHashMap<>();
    trust.enrolledAgents().forEach((id, record) -> byId.put(id, record.toBuilder().setAgentId(id)));
    for (AgentRow a : reader.agents()) {
      AgentRecord.Builder b =
          byId.computeIfAbsent(a.agentId(), id -> AgentRecord.newBuilder().setAgentId(id));
      String reported = a.hostname() == null ? "" : a.hostname();
      b.setReportedHostname(reported);
      if (b.getEnrolledNs() == 0 && b.getHostname().isEmpty()) {
        b.setHostname(reported); // never enrolled (a collector run --insecure): all there is
      }
      b.setAgentVersion(a.agentVersion() == null ? "" : a.agentVersion())
          .setFirstSeenNs(a.firstSeenNs())
          .setLastSeenNs(a.lastSeenNs());
    }
    Set<String> live = connected.ids();
    Map<String, Integer> pending = commands.pendingCounts();
    Map<String, CommandStore.Isolation> isolation = commands.isolation();
    Map<String, AgentHealthRow> health = new HashMap<>();
    reader.agentHealth().forEach(h -> health.put(h.agentId(), h));
    long now = nowNs.getAsLong();
    List<AgentRecord> out = new ArrayList<>();
    for (AgentRecord.Builder b : byId.values()) {
      String id = b.getAgentId();
      b.setConnected(live.contains(id)).setPendingCommands(pending.getOrDefault(id, 0));
      CommandStore.Isolation i = isolation.get(id);
      if (i != null) {
        b.setIsolated(i.isolated()).setIsolationChangedNs(i.changedNs());
      }
      b.setHealth(AgentHealthView.of(health.get(id)));
      b.getHealthBuilder().addAllProblems(HealthProblems.of(b.build(), now, maxClockSkewNs));
      out.add(b.build());
    }
    out.sort(Comparator.comparing(AgentRecord::getHostname).thenComparing(AgentRecord::getAgentId));
    return out;
  }

  /**
   * Every agent, or with {@code request.host} the one it names (as {@link #resolve} finds it:
   * NOT_FOUND when none).
   */
  ListAgentsReply list(ListAgentsRequest request) {
    if (!request.getHost().isEmpty()) {
      return ListAgentsReply.newBuilder().addAgents(resolve(request.getHost())).build();
    }
    return ListAgentsReply.newBuilder().addAllAgents(agents()).build();
  }

  /**
   * The agent {@code host} means: an agent id; else the one agent with that host name (the name it
   * enrolled with; for agents never enrolled, the name they report).
   *
   * @throws io.grpc.StatusRuntimeException NOT_FOUND for no such agent (naming agents that only
   *     report that name), INVALID_ARGUMENT for a host name several agents have (listing their ids)
   */
  AgentRecord resolve(String host) {
    List<AgentRecord> named = resolveAll(host);
    if (named.size() > 1) {
      throw new IllegalArgumentException(
          "host \""
              + host
              + "\" is the name of "
              + named.size()
              + " agents ("
              + String.join(", ", named.stream().map(AgentRecord::getAgentId).toList())
              + "): give the agent id");
    }
    return named.get(0);
  }

  /**
   * Every agent {@code host} means, by the rules of {@link #resolve} (an agent id; else the host
   * name as enrolled, letter case significant) except that a host name several agents have means
   * all of them (by host name, then agent id).
   *
   * @throws io.grpc.StatusRuntimeException NOT_FOUND for no such agent, as {@link #resolve}
   */
  List<AgentRecord> resolveAll(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host: give a host name or agent id");
    }
    List<AgentRecord> all = agents();
    for (AgentRecord a : all) {
      if (a.getAgentId().equals(host)) {
        return List.of(a);
      }
    }
    List<AgentRecord> named = all.stream().filter(a -> a.getHostname().equals(host)).toList();
    if (named.isEmpty()) {
      List<String> reporting =
          all.stream()
              .filter(a -> a.getReportedHostname().equals(host))
              .map(a -> a.getAgentId() + " (enrolled as \"" + a.getHostname() + "\")")
              .toList();
      throw Status.NOT_FOUND
          .withDescription(
              "no agent with host name or agent id \""
                  + host
                  + "\""
                  + (reporting.isEmpty()
                      ? ""
                      : "; agents reporting that name, not enrolled with it: "
                          + String.join(", ", reporting)
                          + ": give the agent id"))
          .asRuntimeException();
    }
    return named;
  }
}
