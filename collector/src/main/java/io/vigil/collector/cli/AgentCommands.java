package io.vigil.collector.cli;

import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.ListAgentsRequest;
import io.vigil.proto.v1.RevokeAgentRequest;
import io.vigil.proto.v1.RevokeReply;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code vigilctl agents} and {@code agent revoke AGENT_ID --reason TEXT} (commands to agents, ping
 * among them, are {@link ContainmentCommands}). Not thread-safe; one command per instance.
 */
final class AgentCommands {
  static final Map<String, Set<String>> OPTIONS =
      Map.of("agents", Set.of(), "agent revoke", Set.of("--reason"));

  private final CtlApi api;
  private final PrintStream out;

  AgentCommands(CtlApi api, PrintStream out) {
    this.api = api;
    this.out = out;
  }

  int run(String command, List<String> words, CtlArgs args) throws UsageException {
    int code =
        switch (command) {
          case "agents" -> list(TokenCommands.words(command, words, 0));
          case "agent revoke" -> revoke(TokenCommands.words(command, words, 1).get(0), args);
          default -> throw new UsageException("unknown command " + Shown.text(command));
        };
    out.flush();
    return code;
  }

  private int list(List<String> unused) {
    List<AgentRecord> agents =
        api.call(s -> s.listAgents(ListAgentsRequest.getDefaultInstance())).getAgentsList();
    if (agents.isEmpty()) {
      out.println("no agents");
      return AlertsCommand.OK;
    }
    TextTable t =
        new TextTable(
            "AGENT_ID",
            "HOST",
            "VERSION",
            "CONNECTED",
            "LAST SEEN (UTC)",
            "ENROLLED (UTC)",
            "CERT UNTIL (UTC)",
            "REVOKED");
    for (AgentRecord a : agents) {
      t.row(
          a.getAgentId(),
          host(a),
          a.getAgentVersion().isEmpty() ? "-" : a.getAgentVersion(),
          a.getConnected() ? "yes" : "no",
          a.getLastSeenNs() == 0 ? "never" : Shown.seconds(a.getLastSeenNs()),
          a.getEnrolledNs() == 0 ? "not enrolled" : Shown.seconds(a.getEnrolledNs()),
          a.getCertificateNotAfterNs() == 0 ? "-" : Shown.seconds(a.getCertificateNotAfterNs()),
          a.getRevokedNs() == 0
              ? "-"
              : Shown.seconds(a.getRevokedNs())
                  + " by "
                  + a.getRevokedBy()
                  + ": "
                  + a.getRevokeReason());
    }
    t.lines().forEach(out::println);
    return AlertsCommand.OK;
  }

  /**
   * The enrolled host name, and the one the agent reports when it differs (a renamed host, or an
   * agent claiming another's name: commands by host name go by the enrolled one).
   */
  static String host(AgentRecord a) {
    String enrolled = a.getHostname().isEmpty() ? "-" : a.getHostname();
    String reported = a.getReportedHostname();
    if (reported.isEmpty() || reported.equals(a.getHostname())) {
      return enrolled;
    }
    return enrolled + " (reports " + reported + ")";
  }

  private int revoke(String agentId, CtlArgs args) throws UsageException {
    String reason = args.option("--reason");
    if (reason == null || reason.isBlank()) {
      throw new UsageException("agent revoke needs --reason TEXT (why the agent is revoked)");
    }
    RevokeReply r =
        api.call(
            s ->
                s.revokeAgent(
                    RevokeAgentRequest.newBuilder().setAgentId(agentId).setReason(reason).build()));
    out.println(
        "agent "
            + Shown.text(agentId)
            + (r.getChanged()
                ? " revoked: its certificates are refused from now on"
                : " was already revoked"));
    return AlertsCommand.OK;
  }
}
