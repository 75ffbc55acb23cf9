package io.vigil.collector.cli;

import io.vigil.collector.health.HealthProblems;
import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.proto.v1.AgentCounters;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.CommandRecord;
import io.vigil.proto.v1.ListAgentsRequest;
import io.vigil.proto.v1.ListCommandsRequest;
import io.vigil.proto.v1.SensorState;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * {@code vigilctl hosts} (each agent: host, agent id, connected, last seen, isolated, pending
 * commands, version, degraded sensors, drops, spool backlog, problems), {@code vigilctl host HOST}
 * (everything of one host's health, {@link HostDetail}) and {@code vigilctl commands [HOST]
 * [--limit N]} (the command queue newest first, with status and result). Everything is escaped for
 * the terminal; {@code --json} prints one object a line. Not thread-safe.
 */
final class HostCommands {
  static final Map<String, Set<String>> OPTIONS =
      Map.of(
          "hosts",
          Set.of("--json"),
          "host",
          Set.of("--json"),
          "commands",
          Set.of("--limit", "--json"));

  private final CtlApi api;
  private final PrintStream out;
  private final LongSupplier nowNs;

  HostCommands(CtlApi api, PrintStream out, LongSupplier nowNs) {
    this.api = api;
    this.out = out;
    this.nowNs = nowNs;
  }

  int run(String command, List<String> words, CtlArgs args) throws UsageException {
    switch (command) {
      case "hosts" -> hosts(TokenCommands.words(command, words, 0), args.has("--json"));
      case "host" -> host(words, args.has("--json"));
      case "commands" -> commands(words, args);
      default -> throw new UsageException("unknown command " + Shown.text(command));
    }
    out.flush();
    return CtlMain.EXIT_OK;
  }

  private void hosts(List<String> unused, boolean json) {
    List<AgentRecord> agents =
        api.call(s -> s.listAgents(ListAgentsRequest.getDefaultInstance())).getAgentsList();
    if (json) {
      agents.forEach(a -> out.println(HostJson.of(a)));
      return;
    }
    if (agents.isEmpty()) {
      out.println("no hosts");
      return;
    }
    TextTable t =
        new TextTable(
            "HOST",
            "AGENT_ID",
            "CONNECTED",
            "LAST SEEN (UTC)",
            "ISOLATED",
            "PENDING COMMANDS",
            "VERSION",
            "DEGRADED",
            "DROPS",
            "BACKLOG",
            "PROBLEMS");
    for (AgentRecord a : agents) {
      t.row(
          AgentCommands.host(a),
          a.getAgentId(),
          a.getConnected() ? "yes" : "no",
          a.getLastSeenNs() == 0 ? "never" : Shown.seconds(a.getLastSeenNs()),
          a.getIsolationChangedNs() == 0
              ? "no"
              : (a.getIsolated() ? "yes since " : "no since ")
                  + Shown.seconds(a.getIsolationChangedNs()),
          Integer.toString(a.getPendingCommands()),
          a.getAgentVersion().isEmpty() ? "-" : a.getAgentVersion(),
          Long.toString(
              a.getHealth().getStatus().getSensorsList().stream()
                  .filter(SensorState::getDegraded)
                  .count()),
          Long.toUnsignedString(drops(a.getHealth().getStatus().getCounters())),
          Long.toString(HealthProblems.backlog(a.getHealth())),
          Integer.toString(a.getHealth().getProblemsCount()));
    }
    t.lines().forEach(out::println);
  }

  /** Everything the collector knows of one host's health; NOT_FOUND (exit 1) for no such host. */
  private void host(List<String> words, boolean json) throws UsageException {
    if (words.size() != 1) {
      throw new UsageException(
          "host takes one HOST (a host name as enrolled or an agent id), got "
              + (words.isEmpty() ? "none" : Shown.text(String.join(" ", words))));
    }
    ListAgentsRequest r = ListAgentsRequest.newBuilder().setHost(words.get(0)).build();
    for (AgentRecord a : api.call(s -> s.listAgents(r)).getAgentsList()) {
      if (json) {
        out.println(HostJson.of(a));
      } else {
        HostDetail.format(a, nowNs.getAsLong()).forEach(out::println);
      }
    }
  }

  /** Events the agent dropped before its spool, all reasons. */
  private static long drops(AgentCounters c) {
    long n = 0;
    for (long v : c.getDroppedMap().values()) {
      n += v;
    }
    return n;
  }

  private void commands(List<String> words, CtlArgs args) throws UsageException {
    if (words.size() > 1) {
      throw new UsageException(
          "commands takes at most one HOST, got " + Shown.text(String.join(" ", words)));
    }
    ListCommandsRequest.Builder r = ListCommandsRequest.newBuilder();
    if (!words.isEmpty()) {
      r.setHost(words.get(0));
    }
    if (args.option("--limit") != null) {
      int limit = TokenCommands.positive("--limit", args.option("--limit"));
      if (limit > 1000) {
        throw new UsageException("--limit: at most 1000");
      }
      r.setLimit(limit);
    }
    List<CommandRecord> commands = api.call(s -> s.listCommands(r.build())).getCommandsList();
    if (args.has("--json")) {
      commands.forEach(c -> out.println(CommandView.json(c)));
      return;
    }
    if (commands.isEmpty()) {
      out.println("no commands");
      return;
    }
    TextTable t =
        new TextTable(
            "ISSUED (UTC)", "COMMAND_ID", "HOST", "ACTION", "ARGUMENTS", "BY", "STATUS", "RESULT");
    for (CommandRecord c : commands) {
      t.row(
          Shown.seconds(c.getIssuedNs()),
          c.getCommandId(),
          c.getHostname().isEmpty() ? c.getAgentId() : c.getHostname(),
          c.getAction(),
          c.getArgumentsJson(),
          c.getIssuedBy(),
          c.getStatus(),
          c.hasResult() ? CommandView.cell(c.getResult()) : "-");
    }
    t.lines().forEach(out::println);
  }
}
