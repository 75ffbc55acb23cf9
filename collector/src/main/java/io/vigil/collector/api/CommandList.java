package io.vigil.collector.api;

import io.vigil.collector.store.CommandRow;
import io.vigil.collector.store.CommandStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.CommandRecord;
import io.vigil.proto.v1.ListCommandsReply;
import io.vigil.proto.v1.ListCommandsRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ListCommands: the command queue newest first, of one host (an agent id, or every agent enrolled
 * with that host name) or all, each with its status and, when done, its result. Thread-safe; blocks
 * on the store.
 */
final class CommandList {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 1000;

  private final AgentCalls agents;
  private final CommandStore commands;
  private final StoreReader reader;

  CommandList(AgentCalls agents, CommandStore commands, StoreReader reader) {
    this.agents = agents;
    this.commands = commands;
    this.reader = reader;
  }

  ListCommandsReply list(ListCommandsRequest r) {
    int limit = r.getLimit() == 0 ? DEFAULT_LIMIT : r.getLimit();
    if (limit < 0 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit: at most " + MAX_LIMIT);
    }
    List<AgentRecord> all = agents.agents();
    Map<String, String> hostnames = new HashMap<>();
    all.forEach(a -> hostnames.put(a.getAgentId(), a.getHostname()));
    List<CommandRow> rows;
    if (r.getHost().isEmpty()) {
      rows = commands.newest(null, limit);
    } else {
      List<String> ids =
          all.stream()
              .filter(
                  a -> a.getAgentId().equals(r.getHost()) || a.getHostname().equals(r.getHost()))
              .map(AgentRecord::getAgentId)
              .toList();
      if (ids.isEmpty()) {
        agents.resolve(r.getHost()); // throws NOT_FOUND naming agents that only report the name
      }
      rows = commands.newest(ids, limit);
    }
    ListCommandsReply.Builder reply = ListCommandsReply.newBuilder();
    for (CommandRow c : rows) {
      CommandRecord.Builder b =
          CommandRecord.newBuilder()
              .setCommandId(c.commandId())
              .setAgentId(c.agentId())
              .setHostname(hostnames.getOrDefault(c.agentId(), ""))
              .setAction(c.action())
              .setArgumentsJson(c.argumentsJson())
              .setIssuedBy(c.issuedBy())
              .setIssuedNs(c.issuedNs())
              .setExpiresNs(c.expiresNs())
              .setStatus(c.status())
              .setSentNs(c.sentNs());
      // A result that came after the command expired is shown too (done wins over expired).
      reader
          .commandResult(c.agentId(), c.commandId())
          .ifPresent(row -> b.setResult(CommandCalls.result(row)));
      reply.addCommands(b);
    }
    return reply.build();
  }
}
